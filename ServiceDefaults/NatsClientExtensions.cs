using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using NATS.Net;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers a NATS connection from <c>ConnectionStrings:{name}</c>, the way Aspire's NATS client integration does.</summary>
public static class NatsClientExtensions
{
    public static IHostApplicationBuilder AddNatsClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var url = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new InvalidOperationException(
                $"NATS connection string '{connectionName}' is missing: set ConnectionStrings__{connectionName} (e.g. nats://127.0.0.1:4222).");
        }
        builder.Services.AddSingleton(sp => new NatsConnection(NatsOpts.Default with
        {
            Url = url,
            Name = builder.Environment.ApplicationName,
            LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
            // Keep reconnecting for as long as the process lives: a broker restart must not need a service restart.
            MaxReconnectRetry = -1,
            ReconnectWaitMax = TimeSpan.FromSeconds(2),
        }));
        builder.Services.AddSingleton<INatsConnection>(sp => sp.GetRequiredService<NatsConnection>());
        builder.Services.AddSingleton<INatsJSContext>(sp => sp.GetRequiredService<NatsConnection>().CreateJetStreamContext());
        builder.Services.AddSingleton<INatsKVContext>(sp => sp.GetRequiredService<INatsJSContext>().CreateKeyValueStoreContext());
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "nats",
            sp => new NatsHealthCheck(sp.GetRequiredService<INatsConnection>()),
            HealthStatus.Unhealthy,
            ["ready"],
            TimeSpan.FromSeconds(3)));
        return builder;
    }

    private sealed class NatsHealthCheck(INatsConnection connection) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await connection.PingAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is NatsException or OperationCanceledException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy($"NATS is not reachable ({connection.ConnectionState}).", ex);
            }
        }
    }
}
