using System.Text.Json.Nodes;
using Neutrino.Core.Messaging;
using static Neutrino.Tests.Kubernetes.RenderedOverlay;

namespace Neutrino.Tests.Kubernetes;

/// <summary>NATS is a 3-server JetStream cluster: a StatefulSet whose servers route to each other and keep their streams on volumes.</summary>
public sealed class NatsTests
{
    private const int Servers = 3;

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Nats_is_three_servers_each_with_its_file_store_on_a_volume_of_its_own(string overlay)
    {
        var rendered = await OfAsync(overlay);
        var nats = rendered.Get("StatefulSet", "nats");
        var config = ServerConfig(rendered);

        Assert.Equal(Servers, (int?)nats["spec"]!["replicas"]);
        Assert.Contains("jetstream {", config, StringComparison.Ordinal);
        var storeDir = Setting(config, "store_dir");
        var claim = Assert.Single(nats["spec"]!["volumeClaimTemplates"]!.AsArray())!;
        var mount = MainContainer(nats)["volumeMounts"]!.AsArray().Single(m => (string?)m!["name"] == (string?)claim["metadata"]!["name"])!;
        Assert.Equal(storeDir, (string?)mount["mountPath"]);
        Assert.Contains("ReadWriteOnce", claim["spec"]!["accessModes"]!.AsArray().Select(m => (string?)m));
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_server_routes_to_every_pod_of_the_StatefulSet_by_its_stable_name(string overlay)
    {
        var rendered = await OfAsync(overlay);
        var nats = rendered.Get("StatefulSet", "nats");
        var config = ServerConfig(rendered);
        var serviceName = (string)nats["spec"]!["serviceName"]!;
        var cluster = ServiceEndpoints.ContainerPort(nats, "cluster");

        Assert.Equal($"0.0.0.0:{cluster}", Setting(config, "listen", after: "cluster {"));
        for (var i = 0; i < Servers; i++)
        {
            Assert.Contains($"nats://nats-{i}.{serviceName}:{cluster}", config, StringComparison.Ordinal);
        }
        // The names must resolve before the servers are ready, or the cluster never forms; they start together.
        Assert.Equal(true, (bool?)rendered.Get("Service", serviceName)["spec"]!["publishNotReadyAddresses"]);
        Assert.Equal("Parallel", (string?)nats["spec"]!["podManagementPolicy"]);
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task The_servers_serve_clients_and_monitoring_on_the_Aspire_manifests_ports(string overlay)
    {
        var rendered = await OfAsync(overlay);
        var nats = rendered.Get("StatefulSet", "nats");
        var config = ServerConfig(rendered);
        var bindings = AspireManifest.Resource("nats")["bindings"]!;

        Assert.Equal($"0.0.0.0:{bindings["tcp"]!["targetPort"]}", Setting(config, "listen"));
        Assert.Equal($"0.0.0.0:{bindings["monitor"]!["targetPort"]}", Setting(config, "http"));
        Assert.Equal((int?)bindings["tcp"]!["targetPort"], ServiceEndpoints.ContainerPort(nats, "client"));
        Assert.Equal((int?)bindings["monitor"]!["targetPort"], ServiceEndpoints.ContainerPort(nats, "monitor"));
        Assert.Equal("/healthz", (string?)MainContainer(nats)["startupProbe"]?["httpGet"]?["path"]);
    }

    /// <summary>
    /// Every service that creates the streams (each one NATS is given to) asks for one copy per server, the same
    /// count everywhere: services that disagreed would change the streams back and forth as each started.
    /// </summary>
    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_service_on_NATS_makes_the_streams_with_a_replica_per_server(string overlay)
    {
        var rendered = await OfAsync(overlay);
        var setting = $"{JetStreamOptions.Section}:{nameof(JetStreamOptions.StreamReplicas)}".Replace(":", "__", StringComparison.Ordinal);
        var services = rendered.Workloads().Select(w => (Name: (string)w["metadata"]!["name"]!, Env: MainContainer(w)["env"]?.AsArray() ?? []))
            .Where(w => w.Env.Any(e => (string?)e!["name"] == "ConnectionStrings__nats")).ToList();

        Assert.Equal(["asyncpool", "fastpool", "gateway", "gpupool"], services.Select(s => s.Name).Order(StringComparer.Ordinal));
        foreach (var (name, env) in services)
        {
            var replicas = env.SingleOrDefault(e => (string?)e!["name"] == setting);
            Assert.True(replicas is not null, $"{overlay}: {name} lacks {setting}");
            Assert.Equal(Servers.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)replicas["value"]);
        }
    }

    /// <summary>The nats-server.conf the StatefulSet mounts.</summary>
    internal static string ServerConfig(RenderedOverlay rendered)
    {
        var volume = PodSpec(rendered.Get("StatefulSet", "nats"))["volumes"]!.AsArray().Single(v => v!["configMap"] is not null)!;
        var map = rendered.Get("ConfigMap", (string)volume["configMap"]!["name"]!);
        return (string)map["data"]!["nats-server.conf"]!;
    }

    /// <summary>The value of <c>key: value</c> at the start of a line (after <paramref name="after"/>, if given).</summary>
    private static string Setting(string config, string key, string? after = null)
    {
        var text = after is null ? config : config[(config.IndexOf(after, StringComparison.Ordinal) + after.Length)..];
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith($"{key}:", StringComparison.Ordinal));
        Assert.True(line is not null, $"nats-server.conf sets no {key}{(after is null ? "" : $" after {after}")}");
        return line[(key.Length + 1)..].Trim();
    }
}
