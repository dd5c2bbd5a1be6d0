using static Neutrino.Tests.Kubernetes.RenderedOverlay;

namespace Neutrino.Tests.Kubernetes;

/// <summary>Who reaches whom under the overlays' NetworkPolicies, worked out from the policies themselves.</summary>
public sealed class NetworkPolicyTests
{
    private static readonly string[] Pools = ["fastpool", "asyncpool", "gpupool"];
    private static readonly string[] NatsClients = ["gateway", "fastpool", "asyncpool", "gpupool"];
    private static readonly string[] DatabaseClients = ["gateway", "fastpool", "asyncpool", "gpupool", "dashboard", "migrations"];

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Only_the_gateway_reaches_the_pools(string overlay)
    {
        var model = new NetworkPolicyModel(await OfAsync(overlay));
        foreach (var pool in Pools.Select(model.Pod))
        {
            foreach (var port in NetworkPolicyModel.Ports(pool))
            {
                var reaching = model.Reaching(pool, port).Select(p => p.Name).ToList();
                Assert.True(reaching.All(p => p == "gateway"), $"{overlay}: {string.Join(", ", reaching)} reach {pool.Name}:{port}");
            }
        }
        // ...and the gateway can: it forwards sync tasks and /v1 there.
        Assert.True(model.Allows(model.Pod("gateway"), model.Pod("fastpool"), 8080), $"{overlay}: the gateway cannot reach the fast pool");
        Assert.True(model.Allows(model.Pod("gateway"), model.Pod("gpupool"), 8080), $"{overlay}: the gateway cannot reach the gpu pool");
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Only_Neutrinos_services_reach_NATS_and_only_KEDA_besides_reads_its_monitoring_port(string overlay)
    {
        var model = new NetworkPolicyModel(await OfAsync(overlay));
        var nats = model.Pod("nats");

        Assert.Equal(NatsClients.Order(), model.Reaching(nats, 4222).Select(p => p.Name).Order());
        Assert.Equal(["nats"], model.Everyone.Where(p => model.Allows(p, nats, 6222)).Select(p => p.Name).Distinct());
        Assert.Equal([NetworkPolicyModel.Keda.Name], model.Reaching(nats, 8222).Select(p => p.Name));
    }

    [Fact]
    public async Task Only_Neutrinos_processes_reach_the_dev_PostgreSQL()
    {
        var model = new NetworkPolicyModel(await OfAsync("dev"));

        Assert.Equal(DatabaseClients.Order(), model.Reaching(model.Pod("postgres"), 5432).Select(p => p.Name).Order());
    }

    [Fact]
    public async Task Only_Neutrinos_processes_reach_the_production_PostgreSQL_outside_the_cluster()
    {
        var model = new NetworkPolicyModel(await OfAsync("production"));

        Assert.Equal(DatabaseClients.Order(), model.Pods.Where(p => model.Allows(p, NetworkPolicyModel.Outside, 5432)).Select(p => p.Name).Order());
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task The_dashboard_reaches_PostgreSQL_and_the_gateway_and_nothing_else(string overlay)
    {
        var model = new NetworkPolicyModel(await OfAsync(overlay));
        var dashboard = model.Pod("dashboard");

        var reached = model.Pods.Where(p => p != dashboard)
            .SelectMany(p => NetworkPolicyModel.Ports(p).Where(port => model.Allows(dashboard, p, port)).Select(port => $"{p.Name}:{port}"))
            .ToList();
        Assert.Equal(overlay == "dev" ? ["gateway:8080", "postgres:5432"] : ["gateway:8080"], reached.Order());
        Assert.False(model.Allows(dashboard, NetworkPolicyModel.Outside, 443), $"{overlay}: the dashboard reaches the internet");
        // Production's database is outside the cluster.
        Assert.Equal(overlay == "production", model.Allows(dashboard, NetworkPolicyModel.Outside, 5432));
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task The_gateway_and_the_dashboard_take_traffic_from_outside_the_namespace(string overlay)
    {
        var model = new NetworkPolicyModel(await OfAsync(overlay));
        Assert.True(model.Allows(NetworkPolicyModel.Outside, model.Pod("gateway"), 8080), $"{overlay}: the gateway is unreachable");
        Assert.True(model.Allows(NetworkPolicyModel.Elsewhere, model.Pod("dashboard"), 8080), $"{overlay}: the dashboard is unreachable");
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_policy_selects_a_pod_and_every_pod_is_behind_a_default_deny(string overlay)
    {
        var model = new NetworkPolicyModel(await OfAsync(overlay));
        Assert.NotEmpty(model.Policies);
        Assert.All(model.Policies, p => Assert.True(model.SelectsAnyPod(p), $"{overlay}: NetworkPolicy {NameOf(p)} selects no pod: a label it names was renamed?"));
        // Nothing in the namespace is open to a pod elsewhere unless a policy says so.
        Assert.False(model.Allows(NetworkPolicyModel.Elsewhere, model.Pod("migrations"), 8080));
    }
}
