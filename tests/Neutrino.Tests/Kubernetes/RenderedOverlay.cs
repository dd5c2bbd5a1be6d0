using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Neutrino.Tests.Kubernetes;

/// <summary>
/// One overlay of <c>deploy/kubernetes</c> as <c>kubectl kustomize</c> renders it, with what the schema
/// validator said of each object. Rendered once per test run and shared by the tests that read it.
/// </summary>
internal sealed class RenderedOverlay
{
    public const string Namespace = "neutrino";

    /// <summary>Every overlay, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> All => ["dev", "production"];

    /// <summary>Neutrino's own long-running services: the Aspire manifest's projects that run as Deployments.</summary>
    public static IReadOnlyList<string> Services { get; } = ["gateway", "fastpool", "asyncpool", "gpupool", "dashboard"];

    private static readonly ConcurrentDictionary<string, Lazy<Task<RenderedOverlay>>> Rendered = new();

    private RenderedOverlay(string overlay, IReadOnlyList<JsonObject> objects, IReadOnlyList<string> schemaErrors)
    {
        Overlay = overlay;
        Objects = objects;
        SchemaErrors = schemaErrors;
    }

    public string Overlay { get; }

    public IReadOnlyList<JsonObject> Objects { get; }

    /// <summary>"apiVersion/kind name: what is wrong", one per object that fails its schema.</summary>
    public IReadOnlyList<string> SchemaErrors { get; }

    public static Task<RenderedOverlay> OfAsync(string overlay) =>
        Rendered.GetOrAdd(overlay, name => new Lazy<Task<RenderedOverlay>>(() => RenderAsync(name))).Value;

    /// <summary>Renders and validates YAML that is not one of the overlays (a test's own broken object).</summary>
    public static async Task<RenderedOverlay> ValidateAsync(string name, string yaml) => Parse(name, await KubernetesTools.ValidateAsync(yaml));

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => KindOf(o) == kind);

    public JsonObject? Find(string kind, string name) => OfKind(kind).SingleOrDefault(o => NameOf(o) == name);

    public JsonObject Get(string kind, string name) =>
        Find(kind, name) ?? throw new Xunit.Sdk.XunitException($"{Overlay}: no {kind} named {name}");

    /// <summary>The pod template's spec of a Deployment, StatefulSet or Job.</summary>
    public static JsonObject PodSpec(JsonObject workload) => workload["spec"]!["template"]!["spec"]!.AsObject();

    public static JsonObject PodLabels(JsonObject workload) => workload["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();

    public static IEnumerable<JsonObject> Containers(JsonObject workload, bool includeInit = true)
    {
        var spec = PodSpec(workload);
        var containers = spec["containers"]!.AsArray().Select(c => c!.AsObject());
        return includeInit && spec["initContainers"] is JsonArray init ? init.Select(c => c!.AsObject()).Concat(containers) : containers;
    }

    /// <summary>The container named as the workload (the service's own process, not a helper).</summary>
    public static JsonObject MainContainer(JsonObject workload) =>
        Containers(workload, includeInit: false).Single(c => (string?)c["name"] == NameOf(workload));

    public IEnumerable<JsonObject> Workloads() =>
        Objects.Where(o => KindOf(o) is "Deployment" or "StatefulSet" or "Job");

    public static string KindOf(JsonObject o) => (string)o["kind"]!;

    public static string NameOf(JsonObject o) => (string)o["metadata"]!["name"]!;

    public override string ToString() => Overlay;

    private static async Task<RenderedOverlay> RenderAsync(string overlay)
    {
        var yaml = await KubernetesTools.KustomizeAsync(Path.Combine(KubernetesTools.KubernetesDirectory, "overlays", overlay));
        return Parse(overlay, await KubernetesTools.ValidateAsync(yaml));
    }

    private static RenderedOverlay Parse(string name, string report)
    {
        var json = JsonNode.Parse(report)!;
        var objects = json["objects"]!.AsArray().Select(o => o!.AsObject()).ToList();
        var errors = json["errors"]!.AsArray().Select(e => $"{e!["object"]}: {e["message"]}").ToList();
        return new RenderedOverlay(name, objects, errors);
    }
}
