using System.Text.Json;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using Neutrino.Core.Json;
using Neutrino.Core.Messaging;
using Neutrino.Core.Tasks;

namespace Neutrino.Gateway.Catalog;

/// <summary>
/// Follows the catalog bucket, so a task a pool registers is routable at once, without a gateway
/// restart. It first makes sure the streams exist, so the gateway can queue tasks whatever the start order.
/// </summary>
internal sealed partial class CatalogWatcher(
    INatsJSContext js, INatsKVContext kv, TaskCatalog catalog, IOptions<JetStreamOptions> topology, ILogger<CatalogWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var failures = 0; !stoppingToken.IsCancellationRequested;)
        {
            try
            {
                await JetStreamTopology.EnsureStreamsAsync(js, topology.Value, stoppingToken);
                var store = await JetStreamTopology.EnsureCatalogAsync(kv, topology.Value, stoppingToken);
                var options = new NatsKVWatchOpts
                {
                    OnNoData = _ =>
                    {
                        catalog.MarkLoaded();
                        return ValueTask.FromResult(true);
                    },
                };
                await foreach (var entry in store.WatchAsync<byte[]>(opts: options, cancellationToken: stoppingToken))
                {
                    failures = 0;
                    Apply(entry);
                    if (entry.Delta == 0)
                    {
                        catalog.MarkLoaded();
                    }
                }
            }
            catch (Exception ex) when (ex is NatsException or JsonException && !stoppingToken.IsCancellationRequested)
            {
                failures++;
                LogWatchFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(failures, 5)), stoppingToken);
            }
        }
    }

    private void Apply(NatsKVEntry<byte[]> entry)
    {
        if (entry.Operation != NatsKVOperation.Put || entry.Value is null)
        {
            catalog.Remove(entry.Key);
            return;
        }
        CatalogEntry? published;
        try
        {
            published = JsonSerializer.Deserialize(entry.Value, NeutrinoJsonContext.Default.CatalogEntry);
        }
        catch (JsonException)
        {
            // One bad entry (another version's, or written by hand) is skipped; the watch goes on.
            published = null;
        }
        var definition = published?.ToDefinition();
        if (definition is null || definition.Name != entry.Key)
        {
            LogIgnored(logger, entry.Key);
            return;
        }
        catalog.Set(definition, published!.ArgsSchema is { ValueKind: JsonValueKind.Object } schema ? schema : null);
        LogRoutable(logger, definition.Name, definition.Pool);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {Name} routable to pool {Pool}")]
    private static partial void LogRoutable(ILogger logger, string name, string pool);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Catalog entry {Key} is not a valid task definition; ignored")]
    private static partial void LogIgnored(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Catalog watch failed; watching again")]
    private static partial void LogWatchFailed(ILogger logger, Exception error);
}
