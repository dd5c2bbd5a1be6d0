using Neutrino.Core.Workers;
using Neutrino.Embeddings;

namespace Neutrino.GpuPool.Tasks;

internal sealed record EmbedArgs(IReadOnlyList<string>? Texts = null, string? Model = null, int? Dimensions = null);

internal sealed record EmbedResult(string Model, int Dimensions, IReadOnlyList<float[]> Embeddings, int PromptTokens);

/// <summary>The <c>embed</c> gpu task: the vectors of <c>texts</c>, through the same batching as <c>/v1/embeddings</c>.</summary>
internal sealed class EmbedTask(EmbeddingEngine engine) : TaskHandler<EmbedArgs, EmbedResult>
{
    public override async Task<EmbedResult> RunAsync(EmbedArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        if (args.Texts is null)
        {
            throw new TaskArgumentException("'texts' is required: an array of strings.");
        }
        var result = await EngineRefusals.AsArgumentErrorsAsync(() =>
            engine.EmbedAsync(EmbeddingInput.FromTexts(args.Texts) with { Name = "texts" }, args.Model, args.Dimensions, cancellationToken));
        return new EmbedResult(result.Model, result.Vectors[0].Length, result.Vectors, result.PromptTokens);
    }
}
