using System.Diagnostics;

namespace Neutrino.Embeddings.Runtime;

/// <summary>The engine's spans (ServiceDefaults records <c>Neutrino.*</c>): a request's embedding, and each batch's inference in it.</summary>
internal static class EmbeddingTelemetry
{
    public static ActivitySource Source { get; } = new(EmbeddingMetrics.MeterName);
}
