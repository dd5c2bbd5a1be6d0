using System.Text.Json;
using System.Text.Json.Nodes;
using static Neutrino.Tests.Kubernetes.RenderedOverlay;

namespace Neutrino.Tests.Kubernetes;

/// <summary>A pod of the rendered overlay, a pod elsewhere in the cluster, or an address outside it.</summary>
internal sealed record Peer(string Name, string? Namespace, JsonObject Labels, JsonObject? Workload)
{
    public bool IsExternal => Namespace is null;

    public override string ToString() => Name;
}

/// <summary>
/// Which connections an overlay's NetworkPolicies let through, by the rules of networking.k8s.io/v1: a pod
/// selected by a policy of a direction accepts (or sends) only what one of those policies' rules allows, and a
/// connection needs both its sender's egress and its receiver's ingress to allow it. ipBlock peers are taken to
/// match pods too, the worst case, since whether they do depends on the network plugin.
/// </summary>
internal sealed class NetworkPolicyModel(RenderedOverlay rendered)
{
    private readonly List<JsonObject> _policies = rendered.OfKind("NetworkPolicy").ToList();

    public IReadOnlyList<Peer> Pods { get; } = rendered.Workloads()
        .Select(w => new Peer(NameOf(w), Namespace, PodLabels(w), w)).ToList();

    public static Peer Elsewhere { get; } = new("a pod of another namespace", "elsewhere", new JsonObject { ["app"] = "other" }, null);

    public static Peer Keda { get; } = new("KEDA's operator", "keda", new JsonObject { ["app"] = "keda-operator" }, null);

    public static Peer Outside { get; } = new("an address outside the cluster", null, [], null);

    public IEnumerable<Peer> Everyone => Pods.Append(Elsewhere).Append(Keda).Append(Outside);

    public Peer Pod(string workload) => Pods.Single(p => p.Name == workload);

    public IEnumerable<JsonObject> Policies => _policies;

    /// <summary>Whether <paramref name="from"/> may open a TCP connection to <paramref name="port"/> of <paramref name="to"/>.</summary>
    public bool Allows(Peer from, Peer to, int port) =>
        Allows(from, "Egress", "egress", "to", to, port) && Allows(to, "Ingress", "ingress", "from", from, port);

    /// <summary>Every peer but <paramref name="to"/> itself that may reach its <paramref name="port"/>.</summary>
    public IEnumerable<Peer> Reaching(Peer to, int port) => Everyone.Where(p => p != to && Allows(p, to, port));

    public static IEnumerable<int> Ports(Peer pod) =>
        pod.Workload is null ? [] : Containers(pod.Workload, includeInit: false).SelectMany(c => c["ports"]?.AsArray() ?? []).Select(p => (int)p!["containerPort"]!);

    public bool SelectsAnyPod(JsonObject policy) => Pods.Any(p => Selects(policy["spec"]!["podSelector"], p.Labels));

    private bool Allows(Peer subject, string type, string direction, string peersKey, Peer other, int port)
    {
        if (subject.IsExternal || subject.Namespace != Namespace)
        {
            return true; // outside what these policies govern
        }
        var governing = _policies.Where(p => Types(p).Contains(type) && Selects(p["spec"]!["podSelector"], subject.Labels)).ToList();
        if (governing.Count == 0)
        {
            return true;
        }
        // A named port is the destination's: the receiver itself for ingress, the other side for egress.
        var destination = type == "Ingress" ? subject : other;
        return governing.SelectMany(p => p["spec"]![direction]?.AsArray() ?? []).Any(rule =>
            (rule![peersKey] is not JsonArray peers || peers.Any(peer => Matches(peer!, other)))
            && (rule["ports"] is not JsonArray ports || ports.Any(p => PortMatches(p!, destination, port))));
    }

    private static IEnumerable<string> Types(JsonObject policy) =>
        policy["spec"]!["policyTypes"]?.AsArray().Select(t => (string)t!) ?? ["Ingress"];

    private static bool Matches(JsonNode peer, Peer other)
    {
        if (peer["ipBlock"] is not null)
        {
            return true;
        }
        if (other.IsExternal)
        {
            return false;
        }
        var namespaceLabels = new JsonObject { ["kubernetes.io/metadata.name"] = other.Namespace };
        var inNamespace = peer["namespaceSelector"] is { } namespaces ? Selects(namespaces, namespaceLabels) : other.Namespace == Namespace;
        return inNamespace && (peer["podSelector"] is not { } pods || Selects(pods, other.Labels));
    }

    private static bool PortMatches(JsonNode rule, Peer destination, int port)
    {
        if ((string?)rule["protocol"] is { } protocol && protocol != "TCP")
        {
            return false;
        }
        var declared = rule["port"];
        if (declared is null)
        {
            return true;
        }
        if (declared.GetValueKind() == JsonValueKind.Number)
        {
            return (int)declared == port || ((int?)rule["endPort"] is { } end && port >= (int)declared && port <= end);
        }
        return destination.Workload is not null && Containers(destination.Workload, includeInit: false)
            .SelectMany(c => c["ports"]?.AsArray() ?? [])
            .Any(p => (string?)p!["name"] == (string)declared! && (int)p["containerPort"]! == port);
    }

    /// <summary>A label selector (matchLabels and matchExpressions; empty selects everything).</summary>
    private static bool Selects(JsonNode? selector, JsonObject labels)
    {
        if (selector is null)
        {
            return true;
        }
        var byLabels = (selector["matchLabels"]?.AsObject() ?? []).All(pair => (string?)labels[pair.Key] == (string?)pair.Value);
        return byLabels && (selector["matchExpressions"]?.AsArray() ?? []).All(e =>
        {
            var value = (string?)labels[(string)e!["key"]!];
            var values = e["values"]?.AsArray().Select(v => (string?)v).ToList() ?? [];
            return (string?)e["operator"] switch
            {
                "In" => value is not null && values.Contains(value),
                "NotIn" => value is null || !values.Contains(value),
                "Exists" => value is not null,
                "DoesNotExist" => value is null,
                var other => throw new Xunit.Sdk.XunitException($"unknown selector operator {other}"),
            };
        });
    }
}
