using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using Neutrino.Core.Json;
using Neutrino.Core.Messaging;

namespace Neutrino.Core.Workers;

/// <summary>Writes this pool's tasks to the catalog bucket at start-up, so the gateway can route them without a restart.</summary>
internal sealed partial class CatalogPublisher(
    INatsKVContext kv,
    TaskRegistry registry,
    CatalogReadiness readiness,
    IOptions<JetStreamOptions> topology,
    ILogger<CatalogPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var store = await JetStreamTopology.EnsureCatalogAsync(kv, topology.Value, stoppingToken);
                foreach (var registration in registry.All)
                {
                    var entry = CatalogEntry.From(registration.Definition) with { ArgsSchema = registration.ArgsSchema() };
                    await store.PutAsync(entry.Name, JsonSerializer.SerializeToUtf8Bytes(entry, NeutrinoJsonContext.Default.CatalogEntry), cancellationToken: stoppingToken);
                }
                LogPublished(logger, registry.Pool, registry.Count);
                readiness.MarkPublished();
                return;
            }
            catch (NatsException ex)
            {
                LogRetrying(logger, attempt, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool {Pool} published its {Count} tasks to the catalog")]
    private static partial void LogPublished(ILogger logger, string pool, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish the catalog yet (attempt {Attempt}): {Reason}")]
    private static partial void LogRetrying(ILogger logger, int attempt, string reason);
}
