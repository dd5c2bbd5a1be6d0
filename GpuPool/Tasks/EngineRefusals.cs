using Neutrino.Core.Workers;
using Neutrino.Embeddings;

namespace Neutrino.GpuPool.Tasks;

/// <summary>
/// The engine's refusals (empty text, unknown model, bad sizes) as the task args' fault: the same
/// args would fail the same way, so they are not retried. Overload is passing, and is retried.
/// </summary>
internal static class EngineRefusals
{
    public static T AsArgumentErrors<T>(Func<T> run)
    {
        try
        {
            return run();
        }
        catch (EmbeddingException ex) when (ex.Kind != EmbeddingErrorKind.Overloaded)
        {
            throw new TaskArgumentException(ex.Message, ex);
        }
    }

    public static async Task<T> AsArgumentErrorsAsync<T>(Func<Task<T>> run)
    {
        try
        {
            return await run();
        }
        catch (EmbeddingException ex) when (ex.Kind != EmbeddingErrorKind.Overloaded)
        {
            throw new TaskArgumentException(ex.Message, ex);
        }
    }
}
