using System.Text.Json.Nodes;
using Neutrino.Core.Messaging;
using Neutrino.Core.Tasks;
using Neutrino.Embeddings;
using static Neutrino.Tests.Kubernetes.RenderedOverlay;

namespace Neutrino.Tests.Kubernetes;

/// <summary>The fast pool scales on CPU; the queued pools on their JetStream consumers' backlog, named as the code names them.</summary>
public sealed class AutoscalingTests
{
    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task The_fast_pool_scales_from_2_to_20_replicas_on_70_percent_cpu(string overlay)
    {
        var rendered = await OfAsync(overlay);
        var hpa = rendered.Get("HorizontalPodAutoscaler", "fastpool")["spec"]!;

        Assert.Equal("Deployment", (string?)hpa["scaleTargetRef"]!["kind"]);
        Assert.Equal("fastpool", (string?)hpa["scaleTargetRef"]!["name"]);
        Assert.Equal(2, (int?)hpa["minReplicas"]);
        Assert.Equal(20, (int?)hpa["maxReplicas"]);
        var metric = Assert.Single(hpa["metrics"]!.AsArray())!;
        Assert.Equal("Resource", (string?)metric["type"]);
        Assert.Equal("cpu", (string?)metric["resource"]!["name"]);
        Assert.Equal("Utilization", (string?)metric["resource"]!["target"]!["type"]);
        Assert.Equal(70, (int?)metric["resource"]!["target"]!["averageUtilization"]);
        AssertLeftToItsAutoscaler(rendered, "fastpool");
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task The_async_pool_scales_from_1_to_50_replicas_on_each_priority_consumers_lag(string overlay)
    {
        var rendered = await OfAsync(overlay);
        var scaled = rendered.Get("ScaledObject", "asyncpool")["spec"]!;

        Assert.Equal("asyncpool", (string?)scaled["scaleTargetRef"]!["name"]);
        Assert.Equal(1, (int?)scaled["minReplicaCount"]);
        Assert.Equal(50, (int?)scaled["maxReplicaCount"]);
        AssertConsumerTriggers(rendered, scaled, Pools.Async);
        AssertLeftToItsAutoscaler(rendered, "asyncpool");
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task The_gpu_pool_scales_from_0_to_5_replicas_and_down_only_after_300_seconds(string overlay)
    {
        var rendered = await OfAsync(overlay);
        var scaled = rendered.Get("ScaledObject", "gpupool")["spec"]!;

        Assert.Equal("gpupool", (string?)scaled["scaleTargetRef"]!["name"]);
        Assert.Equal(0, (int?)scaled["minReplicaCount"]);
        Assert.Equal(5, (int?)scaled["maxReplicaCount"]);
        Assert.Equal(300, (int?)scaled["advanced"]?["horizontalPodAutoscalerConfig"]?["behavior"]?["scaleDown"]?["stabilizationWindowSeconds"]);
        // Its consumers exist only once a gpu pool worker has run: the first pod is not taken away at once.
        Assert.True((int?)scaled["initialCooldownPeriod"] >= 300, $"{overlay}: KEDA may take the gpu pool to zero before its worker has created the consumers");
        AssertConsumerTriggers(rendered, scaled, Pools.Gpu);
        AssertLeftToItsAutoscaler(rendered, "gpupool");
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task The_gpu_pool_takes_one_gpu_on_a_gpu_node_and_asks_for_the_cuda_provider(string overlay)
    {
        var rendered = await OfAsync(overlay);
        var deployment = rendered.Get("Deployment", "gpupool");
        var pod = PodSpec(deployment);
        var container = MainContainer(deployment);

        Assert.Equal("1", container["resources"]?["limits"]?["nvidia.com/gpu"]?.ToString());
        Assert.Contains(pod["nodeSelector"]?.AsObject() ?? [], label => label.Key.StartsWith("nvidia.com/gpu", StringComparison.Ordinal));
        Assert.Contains(pod["tolerations"]?.AsArray() ?? [], t => (string?)t!["key"] == "nvidia.com/gpu" && (string?)t["effect"] == "NoSchedule");
        var setting = $"{EmbeddingOptions.Section.Replace(":", "__", StringComparison.Ordinal)}__{nameof(EmbeddingOptions.ExecutionProvider)}";
        Assert.Equal(nameof(ExecutionProvider.Cuda), (string?)container["env"]!.AsArray().SingleOrDefault(e => (string?)e!["name"] == setting)?["value"]);
    }

    /// <summary>
    /// One nats-jetstream trigger per consumer that <see cref="JetStreamTopology.EnsureConsumersAsync"/> creates for the
    /// pool, each reading the monitoring port of the NATS servers through a Service that exists.
    /// </summary>
    private static void AssertConsumerTriggers(RenderedOverlay rendered, JsonNode scaled, string pool)
    {
        var triggers = scaled["triggers"]!.AsArray().Select(t => t!).ToList();
        Assert.All(triggers, t => Assert.Equal("nats-jetstream", (string?)t["type"]));
        Assert.Equal(
            Subjects.PrioritiesInOrder.Select(p => Subjects.Consumer(pool, p)).Order(StringComparer.Ordinal),
            triggers.Select(t => (string)t["metadata"]!["consumer"]!).Order(StringComparer.Ordinal));
        foreach (var metadata in triggers.Select(t => t["metadata"]!))
        {
            Assert.Equal(Subjects.TaskStream, (string?)metadata["stream"]);
            Assert.Equal("10", (string?)metadata["lagThreshold"]);
            // No accounts are configured: every user is in the global account.
            Assert.Equal("$G", (string?)metadata["account"]);
            AssertNatsMonitoringEndpoint(rendered, (string)metadata["natsServerMonitoringEndpoint"]!);
        }
    }

    /// <summary>
    /// KEDA runs in its own namespace, so the endpoint is a Service's full name; in a cluster it asks a consumer's
    /// leader at "server name.endpoint", so the Service is the StatefulSet's headless one and each server is named
    /// after its pod.
    /// </summary>
    private static void AssertNatsMonitoringEndpoint(RenderedOverlay rendered, string endpoint)
    {
        var (host, port) = (endpoint.Split(':')[0], int.Parse(endpoint.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
        var parts = host.Split('.');
        Assert.True(parts.Length == 5 && parts[1] == Namespace && parts[2] == "svc", $"{endpoint} is not <service>.{Namespace}.svc.<cluster domain>:<port>");
        var service = rendered.Get("Service", parts[0]);
        var nats = rendered.Get("StatefulSet", "nats");
        Assert.Equal((string?)nats["spec"]!["serviceName"], parts[0]);
        Assert.Equal("None", (string?)service["spec"]!["clusterIP"]);
        Assert.True(Scaling.Selects(new JsonObject { ["matchLabels"] = service["spec"]!["selector"]!.DeepClone() }, PodLabels(nats)), $"{parts[0]} does not select the NATS pods");
        var servicePort = service["spec"]!["ports"]!.AsArray().Single(p => (int?)p!["port"] == port)!;
        var container = MainContainer(nats);
        var target = servicePort["targetPort"]!;
        var containerPort = container["ports"]!.AsArray().Single(p => target.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? (string?)p!["name"] == (string)target!
            : (int?)p!["containerPort"] == (int)target);
        Assert.Equal(8222, (int?)containerPort!["containerPort"]);
        Assert.Contains("server_name: $POD_NAME", NatsTests.ServerConfig(rendered), StringComparison.Ordinal);
        Assert.Equal("metadata.name", (string?)container["env"]!.AsArray().Single(e => (string?)e!["name"] == "POD_NAME")!["valueFrom"]!["fieldRef"]!["fieldPath"]);
    }

    // A replica count in the Deployment would fight the autoscaler at every apply.
    private static void AssertLeftToItsAutoscaler(RenderedOverlay rendered, string deployment) =>
        Assert.True(rendered.Get("Deployment", deployment)["spec"]!["replicas"] is null, $"{rendered}: {deployment} sets replicas, which its autoscaler owns");
}
