namespace Neutrino.Tests.Infrastructure;

/// <summary>
/// One system shared by the tests of the "several of each" collection: three NATS servers as one
/// JetStream cluster (streams at 3 replicas), two gateways and four async workers, with failure detection
/// scaled down (<see cref="NeutrinoSystem.QuickFailureDetection"/>). Its tests run one after another,
/// and each starts by waiting for what it needs healthy, since the fault tests kill NATS servers.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public NeutrinoSystem System { get; private set; } = null!;

    /// <summary>A client of each gateway instance, by instance name (the system's own client goes through DCP's proxy).</summary>
    public Dictionary<string, HttpClient> Gateways { get; } = [];

    public async Task InitializeAsync()
    {
        System = await NeutrinoSystem.StartAsync(
            NeutrinoSystem.NewDataDirectory(), NeutrinoSystem.QuickFailureDetection,
            "--Neutrino:NatsServers=3", "--Neutrino:GatewayReplicas=2", "--Neutrino:AsyncPoolReplicas=4", "--Neutrino:FastPoolReplicas=1");
        await System.WaitForHealthyInstancesAsync("gateway", instances: 2);
        await System.WaitForHealthyInstancesAsync("asyncpool", instances: 4);
        foreach (var gateway in System.Instances("gateway"))
        {
            Gateways[gateway] = System.CreateInstanceClient(gateway);
        }
        // A pool's tasks reach each gateway's catalog through its watch of the catalog bucket, a moment
        // after the pool reports healthy: the tests start once every gateway knows the async pool's tasks.
        foreach (var (name, client) in Gateways)
        {
            await Eventually.ReadAsync(
                async () => await client.GetStringAsync("/api"),
                catalog => catalog.Contains("\"sleep\"", StringComparison.Ordinal) && catalog.Contains("\"fail\"", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60),
                $"{name}'s catalog to list the async pool's tasks");
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in Gateways.Values)
        {
            client.Dispose();
        }
        await System.DisposeAsync();
        Directory.Delete(System.DataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "several of each";
}
