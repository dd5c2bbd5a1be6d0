namespace Neutrino.Core.Workers;

/// <summary>The untyped form every handler is run through: raw JSON args in, raw JSON result out.</summary>
public interface ITaskHandler
{
    Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> args, TaskContext context, CancellationToken cancellationToken);
}
