using System.Globalization;
using Neutrino.AppHost.Hosting;

namespace Neutrino.AppHost.Nats;

internal static class NatsExtensions
{
    /// <summary>
    /// A NATS server with JetStream and a user and password, as Aspire.Hosting.Nats's
    /// <c>AddNats(...).WithJetStream()</c> makes one (that package is not served here). Run here:
    /// Debian's <c>nats-server</c> as a local process, ready once its monitoring endpoint's
    /// <c>/healthz</c> answers (JetStream has recovered its store). In the manifest: the official
    /// container with a data volume.
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

        var host = NeutrinoHost.Of(builder);
        var port = FreePort.Resolve(builder.Configuration.GetValue("Neutrino:NatsPort", 0), "Neutrino:NatsPort");
        var monitorPort = FreePort.Resolve(0, "");
        var resource = new LocalNatsServerResource(name, user.Resource, password.Resource, host.DataDirectory);
        var server = builder.AddResource(resource)
            // No proxy: every service's connection goes straight to the server.
            .WithEndpoint(name: NatsConnectionString.EndpointName, port: port, targetPort: port, scheme: "tcp", isProxied: false)
            .WithHttpEndpoint(name: NatsConnectionString.MonitorEndpointName, port: monitorPort, targetPort: monitorPort, isProxied: false)
            .WithArgs("-c", resource.ConfigurationFile)
            .WithHttpHealthCheck("/healthz", endpointName: NatsConnectionString.MonitorEndpointName)
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
            await WriteConfigurationAsync(nats, port, monitorPort, cancellationToken);
        });
        return server;
    }

    private static async Task WriteConfigurationAsync(LocalNatsServerResource nats, int port, int monitorPort, CancellationToken cancellationToken)
    {
        var user = await nats.User.GetValueAsync(cancellationToken);
        var password = await nats.Password.GetValueAsync(cancellationToken);
        var configuration = string.Create(CultureInfo.InvariantCulture, $$"""
            server_name: "neutrino-{{nats.Name}}"
            listen: "127.0.0.1:{{port}}"
            http: "127.0.0.1:{{monitorPort}}"
            jetstream { store_dir: "{{nats.StoreDirectory}}" }
            # Twice the gateway's 1 MiB body limit: a task's args and headers always fit one message.
            max_payload: 2MB
            authorization { user: "{{user}}", password: "{{password}}" }
            """);
        await SecretFile.WriteAsync(nats.ConfigurationFile, configuration, cancellationToken);
    }
}
