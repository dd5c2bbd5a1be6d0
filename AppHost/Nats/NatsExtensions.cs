using System.Globalization;
using Neutrino.AppHost.Hosting;

namespace Neutrino.AppHost.Nats;

internal static class NatsExtensions
{
    /// <summary>
    /// A NATS server with JetStream and a user and password, as Aspire.Hosting.Nats's
    /// <c>AddNats(...).WithJetStream()</c> makes one (that package is not served here). Run here:
    /// Debian's <c>nats-server</c> as a local process, ready once its monitoring endpoint's
    /// <c>/healthz</c> answers (JetStream has recovered its store). With <c>Neutrino:NatsServers=3</c>
    /// (or 5): that many servers as one JetStream cluster on loopback, <c>{name}-0</c>, <c>{name}-1</c>, …,
    /// each with its own ports and store, under a <c>{name}</c> resource whose connection string lists
    /// them all. In the manifest: the official container with a data volume.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddNatsJetStream(this IDistributedApplicationBuilder builder, string name)
    {
        var user = builder.AddParameter($"{name}-user", "nats", publishValueAsDefault: true);
        var password = builder.AddSecret($"{name}-password", file: $"{name}.password");
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddResource(new NatsContainerResource(name, user.Resource, password.Resource))
                .WithImage(NatsContainerResource.Image, NatsContainerResource.Tag)
                .WithImageRegistry("docker.io")
                .WithEndpoint(targetPort: NatsContainerResource.Port, name: NatsConnectionString.EndpointName, scheme: "tcp")
                .WithHttpEndpoint(targetPort: NatsContainerResource.MonitorPort, name: NatsConnectionString.MonitorEndpointName)
                .WithVolume($"neutrino-{name}-data", "/data")
                .WithArgs("-js", "-sd", "/data", "-m", NatsContainerResource.MonitorPort.ToString(CultureInfo.InvariantCulture), "--user", user.Resource, "--pass", password.Resource);
        }

        var servers = builder.Configuration.GetValue("Neutrino:NatsServers", 1);
        if (servers is not (1 or 3 or 5))
        {
            throw new DistributedApplicationException(
                $"Neutrino:NatsServers must be 1, or 3 or 5 for a JetStream cluster (an odd count keeps a quorum), not {servers.ToString(CultureInfo.InvariantCulture)}.");
        }
        var firstPort = FreePort.Resolve(builder.Configuration.GetValue("Neutrino:NatsPort", 0), "Neutrino:NatsPort");
        if (servers == 1)
        {
            return builder.AddLocalServer(name, user.Resource, password.Resource, firstPort, cluster: null);
        }

        // A cluster on loopback: nats-0, nats-1, … each with its own ports and store, routed to one another.
        var cluster = new LocalNatsClusterResource(name);
        var routes = Enumerable.Range(0, servers).Select(_ => FreePort.Any()).ToArray();
        var clusterBuilder = builder.AddResource(cluster)
            .WithInitialState(new CustomResourceSnapshot { ResourceType = "NatsCluster", State = KnownResourceStates.Starting, Properties = [] })
            .WithIconName("Mail");
        var ready = new HashSet<string>();
        for (var i = 0; i < servers; i++)
        {
            var server = builder.AddLocalServer(
                $"{name}-{i.ToString(CultureInfo.InvariantCulture)}", user.Resource, password.Resource, i == 0 ? firstPort : FreePort.Any(),
                new ClusterRoutes(name, routes[i], routes));
            cluster.Servers.Add(server.Resource);
            server.WithParentRelationship(clusterBuilder);
            server.OnResourceReady(async (nats, @event, cancellationToken) =>
            {
                bool formed;
                lock (ready)
                {
                    ready.Add(nats.Name);
                    formed = ready.Count == servers;
                }
                if (formed)
                {
                    await @event.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(
                        cluster, s => s with { State = KnownResourceStates.Running, StartTimeStamp = s.StartTimeStamp ?? DateTime.UtcNow });
                }
            });
        }
        return clusterBuilder;
    }

    /// <summary>
    /// A service's NATS: its connection string, started once NATS is up, and for a cluster the stream
    /// replica count every service must agree on (they all create the topology, so a disagreement would
    /// make them change the streams back and forth).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithJetStream(this IResourceBuilder<ProjectResource> service, IResourceBuilder<IResourceWithConnectionString> nats)
    {
        service.WithReference(nats).WaitFor(nats, WaitBehavior.WaitOnResourceUnavailable);
        return nats.Resource is LocalNatsClusterResource cluster
            ? service.WithEnvironment("Neutrino__JetStream__StreamReplicas", cluster.StreamReplicas.ToString(CultureInfo.InvariantCulture))
            : service;
    }

    /// <summary>
    /// A clustered server is ready once it runs JetStream and is current with the cluster's meta leader.
    /// Plain <c>/healthz</c> also waits for every stream and consumer replica it holds to be current,
    /// and Debian's 2.9.10 can report an idle consumer's replica as not current for good after a restart
    /// (nats-server fixed its health repair in 2.9.17): the server would never be ready again. The
    /// streams' own replicas still catch up, and JetStream's stream and consumer info says when.
    /// </summary>
    private const string ClusteredHealthPath = "/healthz?js-server-only=true";

    /// <summary>Where a clustered server takes its peers' routes: its own port, and every server's.</summary>
    private sealed record ClusterRoutes(string Name, int Port, int[] Ports);

    private static IResourceBuilder<LocalNatsServerResource> AddLocalServer(
        this IDistributedApplicationBuilder builder, string name, ParameterResource user, ParameterResource password, int port, ClusterRoutes? cluster)
    {
        var host = NeutrinoHost.Of(builder);
        var monitorPort = FreePort.Any();
        var resource = new LocalNatsServerResource(name, user, password, host.DataDirectory);
        var server = builder.AddResource(resource)
            // No proxy: every service's connection goes straight to the server.
            .WithEndpoint(name: NatsConnectionString.EndpointName, port: port, targetPort: port, scheme: "tcp", isProxied: false)
            .WithHttpEndpoint(name: NatsConnectionString.MonitorEndpointName, port: monitorPort, targetPort: monitorPort, isProxied: false)
            .WithArgs("-c", resource.ConfigurationFile)
            .WithHttpHealthCheck(cluster is null ? "/healthz" : ClusteredHealthPath, endpointName: NatsConnectionString.MonitorEndpointName)
            .WithIconName("Mail");

        builder.Eventing.Subscribe<BeforeStartEvent>(async (@event, cancellationToken) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
            resource.Annotations.OfType<ExecutableAnnotation>().Single().Command =
                await DebianPackages.RequireAsync("nats-server", () => DebianPackages.FindOnPath("nats-server"), logger, cancellationToken);
        });
        server.OnBeforeResourceStarted(async (nats, _, cancellationToken) =>
        {
            Directory.CreateDirectory(nats.StoreDirectory);
            await WriteConfigurationAsync(nats, port, monitorPort, cluster, cancellationToken);
        });
        return server;
    }

    private static async Task WriteConfigurationAsync(LocalNatsServerResource nats, int port, int monitorPort, ClusterRoutes? cluster, CancellationToken cancellationToken)
    {
        var user = await nats.User.GetValueAsync(cancellationToken);
        var password = await nats.Password.GetValueAsync(cancellationToken);
        // Routes are authenticated with the clients' user and password. Every server lists every route, its
        // own included (a server skips itself), so all of them have the same list.
        var routes = "";
        if (cluster is not null)
        {
            var urls = string.Join(", ", cluster.Ports.Select(p => string.Create(CultureInfo.InvariantCulture, $"\"nats-route://{user}:{password}@127.0.0.1:{p}\"")));
            routes = string.Create(CultureInfo.InvariantCulture, $$"""

                cluster {
                  name: "neutrino-{{cluster.Name}}"
                  listen: "127.0.0.1:{{cluster.Port}}"
                  authorization { user: "{{user}}", password: "{{password}}" }
                  routes: [{{urls}}]
                }
                """);
        }
        var configuration = string.Create(CultureInfo.InvariantCulture, $$"""
            server_name: "neutrino-{{nats.Name}}"
            listen: "127.0.0.1:{{port}}"
            http: "127.0.0.1:{{monitorPort}}"
            jetstream { store_dir: "{{nats.StoreDirectory}}" }
            # Twice the gateway's 1 MiB body limit: a task's args and headers always fit one message.
            max_payload: 2MB
            authorization { user: "{{user}}", password: "{{password}}" }
            """) + routes;
        await SecretFile.WriteAsync(nats.ConfigurationFile, configuration, cancellationToken);
    }
}
