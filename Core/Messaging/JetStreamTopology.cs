using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;
using Neutrino.Core.Tasks;

namespace Neutrino.Core.Messaging;

/// <summary>
/// Creates (or brings up to date) the streams, consumers and bucket. Idempotent: the gateway
/// and every pool run it at start-up, so start order does not matter. The replica count of
/// <see cref="JetStreamOptions.StreamReplicas"/> is applied to existing streams too: a cluster
/// moves a stream between 1 and 3 copies in place, keeping its messages. Consumers take their
/// stream's count.
/// </summary>
public static class JetStreamTopology
{
    /// <summary>Re-publishes of a task id inside this window are dropped by the server.</summary>
    public static readonly TimeSpan DuplicateWindow = TimeSpan.FromMinutes(2);

    public static async Task EnsureStreamsAsync(INatsJSContext js, JetStreamOptions options, CancellationToken cancellationToken)
    {
        await js.CreateOrUpdateStreamAsync(
            new StreamConfig(Subjects.TaskStream, ["neutrino.tasks.>"])
            {
                Retention = StreamConfigRetention.Workqueue,
                Storage = StreamConfigStorage.File,
                DuplicateWindow = DuplicateWindow,
                Discard = StreamConfigDiscard.Old,
                NumReplicas = options.StreamReplicas,
            },
            cancellationToken);
        await js.CreateOrUpdateStreamAsync(
            new StreamConfig(Subjects.DeadLetterStream, ["neutrino.dead.>"])
            {
                Retention = StreamConfigRetention.Limits,
                Storage = StreamConfigStorage.File,
                MaxAge = TimeSpan.FromDays(14),
                NumReplicas = options.StreamReplicas,
            },
            cancellationToken);
    }

    public static async Task<IReadOnlyDictionary<TaskPriority, INatsJSConsumer>> EnsureConsumersAsync(
        INatsJSContext js, string pool, TimeSpan ackWait, CancellationToken cancellationToken)
    {
        var consumers = new Dictionary<TaskPriority, INatsJSConsumer>();
        foreach (var priority in Subjects.PrioritiesInOrder)
        {
            consumers[priority] = await js.CreateOrUpdateConsumerAsync(
                Subjects.TaskStream,
                new ConsumerConfig(Subjects.Consumer(pool, priority))
                {
                    FilterSubject = Subjects.ConsumerFilter(pool, priority),
                    AckPolicy = ConsumerConfigAckPolicy.Explicit,
                    AckWait = ackWait,
                    // Attempts are counted and capped by the worker per task (see QueuedTaskWorker), not here.
                    MaxDeliver = -1,
                    MaxAckPending = 10_000,
                },
                cancellationToken);
        }
        return consumers;
    }

    public static async Task<INatsKVStore> EnsureCatalogAsync(INatsKVContext kv, JetStreamOptions options, CancellationToken cancellationToken) =>
        await kv.CreateOrUpdateStoreAsync(
            new NatsKVConfig(Subjects.CatalogBucket) { Storage = NatsKVStorageType.File, History = 1, NumberOfReplicas = options.StreamReplicas },
            cancellationToken);
}
