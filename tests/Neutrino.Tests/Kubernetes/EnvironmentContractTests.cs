using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Neutrino.Core.Messaging;
using Neutrino.Embeddings;
using static Neutrino.Tests.Kubernetes.RenderedOverlay;

namespace Neutrino.Tests.Kubernetes;

/// <summary>
/// The Kubernetes objects say what <c>deploy/aspire-manifest.json</c> says: the same resources by name, each
/// project given the same environment (a parameter from the Secret or ConfigMap that holds it, a connection
/// string built the same way, an endpoint at the Service of that name), the same ports and images.
/// </summary>
public sealed partial class EnvironmentContractTests
{
    /// <summary>The one project not deployed: its output, the models, is put on the models volume by hand (docs/deploy-kubernetes.md).</summary>
    private const string ProvisionedByHand = "models";

    /// <summary>Connection strings the deployment holds whole in a Secret (production's is an external database's).</summary>
    private static readonly Dictionary<string, (string Secret, string Key)> SecretConnectionStrings = new()
    {
        ["neutrino"] = ("neutrino-postgres", "connection-string"),
    };

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_project_but_the_model_provisioner_is_deployed_under_its_name(string overlay)
    {
        var rendered = await OfAsync(overlay);
        var projects = AspireManifest.OfType("project.v0").ToList();

        Assert.Contains(ProvisionedByHand, projects);
        foreach (var project in projects.Where(p => p != ProvisionedByHand))
        {
            Assert.True((rendered.Find("Deployment", project) ?? rendered.Find("Job", project)) is not null,
                $"{overlay}: the Aspire manifest's project {project} is neither a Deployment nor a Job");
        }
        Assert.Null(rendered.Find("Deployment", ProvisionedByHand));
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_project_gets_the_environment_the_Aspire_manifest_gives_it(string overlay)
    {
        var rendered = await OfAsync(overlay);
        foreach (var project in AspireManifest.OfType("project.v0").Where(p => p != ProvisionedByHand))
        {
            var workload = rendered.Find("Deployment", project) ?? rendered.Get("Job", project);
            var container = MainContainer(workload);
            var env = container["env"]!.AsArray().Select(e => e!.AsObject()).ToDictionary(e => (string)e["name"]!);
            var contract = AspireManifest.Resource(project)["env"]!.AsObject();

            foreach (var (name, template) in contract)
            {
                Assert.True(env.TryGetValue(name, out var variable), $"{overlay}: {project} lacks {name}");
                AssertVariable(rendered, project, container, variable, (string)template!);
            }
            var extra = env.Keys.Except(contract.Select(c => c.Key)).Except(KubernetesOnlySettings(project, contract)).ToList();
            Assert.True(extra.Count == 0, $"{overlay}: {project} has variables the Aspire manifest does not give it: {string.Join(", ", extra)}");
        }
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_bound_resource_is_a_Service_of_the_same_name_on_the_same_ports(string overlay)
    {
        var rendered = await OfAsync(overlay);
        foreach (var (name, resource) in AspireManifest.Resources.Where(r => r.Value!["bindings"] is not null && r.Key != ProvisionedByHand))
        {
            if (rendered.Find("Service", name) is null)
            {
                // Production's PostgreSQL is outside the cluster.
                Assert.True(overlay == "production" && name == "postgres", $"{overlay}: no Service {name}");
                continue;
            }
            var workload = ServiceEndpoints.SelectedWorkload(rendered, name);
            foreach (var (binding, value) in resource!["bindings"]!.AsObject())
            {
                // A project's port is the deployment's choice (HTTP_PORTS); a container's is the image's.
                var target = (int?)value!["targetPort"] ?? ServiceEndpoints.ContainerPort(workload, binding);
                Assert.True(ServiceEndpoints.PortFor(rendered, name, target) is not null, $"{overlay}: Service {name} has no port to {binding} ({target})");
            }
            if ((string?)resource["type"] == "container.v0")
            {
                Assert.Equal((string?)resource["image"], (string?)MainContainer(workload)["image"]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_parameter_is_a_Secret_or_ConfigMap_key_of_its_own_name(string overlay)
    {
        var rendered = await OfAsync(overlay);
        var referenced = rendered.Workloads().SelectMany(w => Containers(w)).SelectMany(c => c["env"]?.AsArray() ?? [])
            .Select(e => e!["valueFrom"]).Where(v => v is not null).ToList();
        foreach (var parameter in AspireManifest.OfType("parameter.v0"))
        {
            var kind = AspireManifest.IsSecretParameter(parameter) ? "secretKeyRef" : "configMapKeyRef";
            var refs = referenced.Select(v => v![kind]).Where(r => r is not null && (string?)r["key"] == parameter).ToList();
            // The production database is reached by its connection string alone.
            if (overlay == "production" && parameter == "postgres-password")
            {
                Assert.Empty(refs);
                continue;
            }
            Assert.True(refs.Count > 0, $"{overlay}: no workload reads the parameter {parameter} from a {kind}");
            if (kind == "configMapKeyRef")
            {
                var map = rendered.Get("ConfigMap", (string)refs[0]!["name"]!);
                Assert.Equal((string?)AspireManifest.Resource(parameter)["inputs"]!["value"]!["default"]?["value"], (string?)map["data"]![parameter]);
            }
        }
    }

    [Fact]
    public async Task The_dev_connection_string_is_the_one_the_Aspire_manifest_builds_from_the_dev_password()
    {
        var rendered = await OfAsync("dev");
        var parameters = rendered.Get("Secret", "neutrino-parameters");
        var (secret, key) = SecretConnectionStrings["neutrino"];

        var expected = Expand(rendered, "{neutrino.connectionString}", parameter => Decoded(parameters, parameter));

        Assert.Equal(expected, Decoded(rendered.Get("Secret", secret), key));
    }

    [Fact]
    public async Task The_production_overlay_leaves_its_Secrets_to_be_made_as_the_README_says()
    {
        var rendered = await OfAsync("production");
        var guide = await File.ReadAllTextAsync(Path.Combine(KubernetesTools.RepositoryRoot, "docs", "deploy-kubernetes.md"));
        var secretRefs = rendered.Workloads().SelectMany(w => Containers(w)).SelectMany(c => c["env"]?.AsArray() ?? [])
            .Select(e => e!["valueFrom"]?["secretKeyRef"]).OfType<JsonNode>()
            .Select(r => ((string)r["name"]!, (string)r["key"]!)).Distinct().ToList();

        Assert.Empty(rendered.OfKind("Secret"));
        Assert.NotEmpty(secretRefs);
        foreach (var (name, key) in secretRefs)
        {
            Assert.True(guide.Contains($"kubectl -n {Namespace} create secret generic {name}", StringComparison.Ordinal) && guide.Contains($"--from-literal={key}=", StringComparison.Ordinal),
                $"docs/deploy-kubernetes.md does not say how to make the Secret {name} with its key {key}");
        }
    }

    private static void AssertVariable(RenderedOverlay rendered, string project, JsonObject container, JsonObject variable, string template)
    {
        var what = $"{rendered}: {project}'s {variable["name"]}";
        var whole = WholeReference().Match(template);
        if (whole.Success && whole.Groups["property"].Value == "value" && AspireManifest.IsSecretParameter(whole.Groups["resource"].Value))
        {
            AssertFromSecret(what, variable, "neutrino-parameters", whole.Groups["resource"].Value);
            return;
        }
        if (whole.Success && whole.Groups["property"].Value == "connectionString" && SecretConnectionStrings.TryGetValue(whole.Groups["resource"].Value, out var held))
        {
            AssertFromSecret(what, variable, held.Secret, held.Key);
            return;
        }
        var expected = Expand(rendered, template, parameter => FromEnvironment(container, parameter));
        Assert.True((string?)variable["value"] == expected, $"{what} is {variable["value"] ?? variable["valueFrom"]?.ToJsonString()}, not {expected} (from {template})");
    }

    private static void AssertFromSecret(string what, JsonObject variable, string secret, string key)
    {
        var reference = variable["valueFrom"]?["secretKeyRef"];
        Assert.True((string?)reference?["name"] == secret && (string?)reference["key"] == key, $"{what} is not read from the Secret {secret}, key {key}");
    }

    /// <summary>
    /// The Aspire manifest's expression with every reference in Kubernetes terms: a resource's host is its
    /// Service's name, its port that Service's port, a parameter what <paramref name="parameter"/> makes of it.
    /// </summary>
    private static string Expand(RenderedOverlay rendered, string template, Func<string, string> parameter) =>
        Reference().Replace(template, match =>
        {
            var resource = match.Groups["resource"].Value;
            var path = match.Groups["path"].Value.Split('.');
            return path switch
            {
                ["value"] when (string?)AspireManifest.Resource(resource)["type"] == "parameter.v0" => parameter(resource),
                ["connectionString"] => Expand(rendered, (string)AspireManifest.Resource(resource)["connectionString"]!, parameter),
                ["bindings", _, "host"] => resource,
                ["bindings", var binding, "port"] => BoundPort(rendered, resource, binding).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["bindings", var binding, "targetPort"] => TargetPort(rendered, resource, binding).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["bindings", var binding, "url"] => $"{AspireManifest.Resource(resource)["bindings"]![binding]!["scheme"]}://{resource}:{BoundPort(rendered, resource, binding)}",
                _ => throw new Xunit.Sdk.XunitException($"the test does not know the Aspire expression {match.Value}"),
            };
        });

    private static int TargetPort(RenderedOverlay rendered, string resource, string binding) =>
        (int?)AspireManifest.Resource(resource)["bindings"]![binding]!["targetPort"]
        ?? ServiceEndpoints.ContainerPort(ServiceEndpoints.SelectedWorkload(rendered, resource), binding);

    private static int BoundPort(RenderedOverlay rendered, string resource, string binding) =>
        ServiceEndpoints.PortFor(rendered, resource, TargetPort(rendered, resource, binding))
        ?? throw new Xunit.Sdk.XunitException($"{rendered}: Service {resource} has no port for its {binding} binding");

    /// <summary>A parameter inside a larger value: <c>$(NAME)</c> of the container's variable that reads it.</summary>
    private static string FromEnvironment(JsonObject container, string parameter)
    {
        var variable = container["env"]!.AsArray().SingleOrDefault(e =>
            (string?)(e!["valueFrom"]?["secretKeyRef"] ?? e["valueFrom"]?["configMapKeyRef"])?["key"] == parameter);
        return variable is null ? $"(no variable reads {parameter})" : $"$({variable["name"]})";
    }

    /// <summary>What the deployment adds to the contract, each for a reason.</summary>
    private static IEnumerable<string> KubernetesOnlySettings(string project, JsonObject contract)
    {
        if (contract.ContainsKey("ConnectionStrings__nats"))
        {
            // The parts ConnectionStrings__nats is put together from, as $(NATS_USER) and $(NATS_PASSWORD).
            yield return "NATS_USER";
            yield return "NATS_PASSWORD";
            // The Aspire manifest's NATS is one server; the cluster's streams are replicated (NatsTests).
            yield return $"{JetStreamOptions.Section}:{nameof(JetStreamOptions.StreamReplicas)}".Replace(":", "__", StringComparison.Ordinal);
        }
        if (project == "gpupool")
        {
            // The Aspire manifest leaves the models directory and the execution provider to the deployment.
            var section = EmbeddingOptions.Section.Replace(":", "__", StringComparison.Ordinal);
            yield return $"{section}__{nameof(EmbeddingOptions.ModelsDirectory)}";
            yield return $"{section}__{nameof(EmbeddingOptions.ExecutionProvider)}";
            yield return $"{section}__{nameof(EmbeddingOptions.DeviceId)}";
        }
    }

    private static string Decoded(JsonObject secret, string key) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(((string)secret["data"]![key]!).ReplaceLineEndings("")));

    [GeneratedRegex(@"\{(?<resource>[a-z0-9-]+)\.(?<path>[A-Za-z.]+)\}")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\{(?<resource>[a-z0-9-]+)\.(?<property>[A-Za-z]+)\}$")]
    private static partial Regex WholeReference();
}
