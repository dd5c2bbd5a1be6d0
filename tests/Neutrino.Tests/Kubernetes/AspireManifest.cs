using System.Text.Json.Nodes;

namespace Neutrino.Tests.Kubernetes;

/// <summary><c>deploy/aspire-manifest.json</c>, what the AppHost publishes: the contract the Kubernetes objects follow.</summary>
internal static class AspireManifest
{
    private static readonly Lazy<JsonObject> Loaded = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(KubernetesTools.RepositoryRoot, "deploy", "aspire-manifest.json")))!["resources"]!.AsObject());

    public static JsonObject Resources => Loaded.Value;

    public static IEnumerable<string> OfType(string type) =>
        Resources.Where(r => (string?)r.Value!["type"] == type).Select(r => r.Key);

    public static JsonObject Resource(string name) => Resources[name]!.AsObject();

    public static bool IsSecretParameter(string name) =>
        (string?)Resource(name)["type"] == "parameter.v0" && (bool?)Resource(name)["inputs"]!["value"]!["secret"] == true;
}
