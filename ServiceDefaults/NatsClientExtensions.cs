using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using NATS.Net;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A NATS connection from <c>ConnectionStrings:{name}</c> (<c>nats://user:password@host:port</c>), with a
/// health check and the client's tracing: what Aspire.NATS.Net's <c>AddNatsClient</c> registers, written
/// here because that package is not served. Settings bind from <c>Aspire:NATS:Net</c> as there.
/// </summary>
public static class NatsClientExtensions
{
    private const string ConfigurationSection = "Aspire:NATS:Net";

    public static IHostApplicationBuilder AddNatsClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var settings = new NatsClientSettings();
        builder.Configuration.GetSection(ConfigurationSection).Bind(settings);
        builder.Configuration.GetSection($"{ConfigurationSection}:{connectionName}").Bind(settings);
        if (builder.Configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
        {
            settings.ConnectionString = connectionString;
        }
        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new InvalidOperationException(
                $"NATS connection string '{connectionName}' is missing: set ConnectionStrings__{connectionName} (e.g. nats://user:password@127.0.0.1:4222).");
        }

        builder.Services.TryAddSingleton(sp => new NatsConnection(NatsOpts.Default with
        {
            Url = settings.ConnectionString,
            Name = builder.Environment.ApplicationName,
            LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
            // Keep reconnecting for as long as the process lives: a broker restart must not need a service restart.
            MaxReconnectRetry = -1,
            ReconnectWaitMax = TimeSpan.FromSeconds(2),
        }));
        builder.Services.TryAddSingleton<INatsConnection>(sp => sp.GetRequiredService<NatsConnection>());
        builder.Services.TryAddSingleton<INatsJSContext>(sp => sp.GetRequiredService<NatsConnection>().CreateJetStreamContext());
        builder.Services.TryAddSingleton<INatsKVContext>(sp => sp.GetRequiredService<INatsJSContext>().CreateKeyValueStoreContext());
        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                "NATS", sp => new NatsHealthCheck(sp.GetRequiredService<INatsConnection>()), HealthStatus.Unhealthy, [], TimeSpan.FromSeconds(3)));
        }
        if (!settings.DisableTracing)
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(NatsTelemetry.SourceName));
            NatsInstrumentationOptions.Default.Filter = IsPartOfATrace;
        }
        return builder;
    }

    /// <summary>
    /// The client's spans that belong to a request's story: a publish made inside a trace (a task's
    /// enqueue, its completion notice, a cancel). Left out are acknowledgements and in-progress
    /// signals (<c>$JS.ACK.…</c>, several per task), publishes outside any trace (background
    /// loops would each start a trace of their own), and every receive: consumers start their span
    /// from the message's trace context themselves, so a receive span would only sit beside it, and
    /// wake-up and reply messages would add one per subscriber. Fewer spans per task is what keeps
    /// full tracing affordable under load.
    /// </summary>
    /// <remarks>NATS.Net 3.3 gives a receive its message's sizes and a publish none: that tells them apart.</remarks>
    private static bool IsPartOfATrace(NatsInstrumentationContext context) =>
        context.BodySize is null
        && Activity.Current is not null
        && !context.Subject.StartsWith("$JS.ACK.", StringComparison.Ordinal);

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

/// <summary>Aspire.NATS.Net's settings, bound from <c>Aspire:NATS:Net</c> and <c>Aspire:NATS:Net:{name}</c>.</summary>
public sealed class NatsClientSettings
{
    public string? ConnectionString { get; set; }

    public bool DisableHealthChecks { get; set; }

    public bool DisableTracing { get; set; }
}
