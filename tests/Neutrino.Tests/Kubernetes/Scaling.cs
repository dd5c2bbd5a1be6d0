using System.Text.Json.Nodes;
using static Neutrino.Tests.Kubernetes.RenderedOverlay;

namespace Neutrino.Tests.Kubernetes;

/// <summary>How many replicas a workload may run: from its autoscaler if one targets it, else its replica count.</summary>
internal static class Scaling
{
    public static (int Min, int Max) Replicas(RenderedOverlay rendered, JsonObject workload)
    {
        var name = NameOf(workload);
        if (rendered.OfKind("HorizontalPodAutoscaler").SingleOrDefault(h => (string?)h["spec"]!["scaleTargetRef"]!["name"] == name) is { } hpa)
        {
            return ((int?)hpa["spec"]!["minReplicas"] ?? 1, (int)hpa["spec"]!["maxReplicas"]!);
        }
        if (rendered.OfKind("ScaledObject").SingleOrDefault(s => (string?)s["spec"]!["scaleTargetRef"]!["name"] == name) is { } scaled)
        {
            // KEDA's defaults.
            return ((int?)scaled["spec"]!["minReplicaCount"] ?? 0, (int?)scaled["spec"]!["maxReplicaCount"] ?? 100);
        }
        var replicas = (int?)workload["spec"]!["replicas"] ?? 1;
        return (replicas, replicas);
    }

    /// <summary>Whether <paramref name="selector"/> (a label selector's matchLabels) picks pods labelled <paramref name="labels"/>.</summary>
    public static bool Selects(JsonNode? selector, JsonObject labels) =>
        selector?["matchLabels"] is JsonObject match && match.Count > 0
        && match.All(pair => labels[pair.Key] is { } value && (string?)value == (string?)pair.Value);
}
