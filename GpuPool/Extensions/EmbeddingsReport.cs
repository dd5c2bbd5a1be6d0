using System.Text.Json;
using Neutrino.Core.Workers;
using Neutrino.Embeddings;

namespace Neutrino.GpuPool.Extensions;

/// <summary>
/// This instance's embedding numbers, in its liveness row: per model, the last minute's batches, inputs and
/// tokens per second and queue wait, and the inputs queued now. The dashboard adds up every live instance's.
/// </summary>
internal sealed class EmbeddingsReport(EmbeddingEngine engine) : IWorkerReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string? ToJson()
    {
        var queued = engine.QueuedInputs();
        var activity = engine.RecentActivity().ToDictionary(a => a.Model, StringComparer.Ordinal);
        var models = activity.Keys.Union(queued.Where(q => q.Value > 0).Select(q => q.Key)).Order(StringComparer.Ordinal)
            .Select(m => new ModelReport(m, activity.GetValueOrDefault(m), queued.GetValueOrDefault(m)))
            .ToList();
        return JsonSerializer.Serialize(new Report(models), Json);
    }

    private sealed record Report(IReadOnlyList<ModelReport> Embeddings);

    private sealed record ModelReport(
        string Model,
        Embeddings.Runtime.ModelActivity? LastMinute,
        int Queued);
}
