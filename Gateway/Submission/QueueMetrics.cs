using System.Diagnostics;
using System.Diagnostics.Metrics;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Neutrino.Core.Messaging;
using Neutrino.Core.Tasks;
using Neutrino.Core.Telemetry;

namespace Neutrino.Gateway.Submission;

/// <summary>
/// The queues as JetStream sees them, every few seconds, as gauges per pool and priority: messages
/// waiting for a worker (what KEDA's <c>nats-jetstream</c> scaler reads as lag), messages handed to a
/// worker and not yet acknowledged, messages delivered more than once; and per pool, the dead letters kept.
/// </summary>
internal sealed partial class QueueMetrics : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly INatsJSContext _js;
    private readonly TimeProvider _time;
    private readonly ILogger<QueueMetrics> _logger;
    /// <summary>The depth over time: one sample per pool every <see cref="Interval"/>, the last hour's.</summary>
    public static readonly TimeSpan HistorySpan = TimeSpan.FromHours(1);

    private volatile QueueSnapshot _latest = new([], [], DateTimeOffset.MinValue);
    private readonly Queue<DepthSample> _history = new();
    private readonly Lock _historyLock = new();

    public QueueMetrics(INatsJSContext js, TimeProvider time, ILogger<QueueMetrics> logger)
    {
        _js = js;
        _time = time;
        _logger = logger;
        var meter = NeutrinoTelemetry.Meter;
        meter.CreateObservableGauge("neutrino.queue.pending", () => Consumers(c => c.Pending), "{message}",
            "Messages waiting for a worker, per pool and priority.");
        meter.CreateObservableGauge("neutrino.queue.ack_pending", () => Consumers(c => c.AckPending), "{message}",
            "Messages delivered to a worker and not acknowledged yet (running or about to be redelivered).");
        meter.CreateObservableGauge("neutrino.queue.redelivered", () => Consumers(c => c.Redelivered), "{message}",
            "Unacknowledged messages that were delivered more than once.");
        meter.CreateObservableGauge("neutrino.queue.dead_letters", DeadLetters, "{message}",
            "Messages in the dead-letter stream, per pool.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        do
        {
            try
            {
                _latest = await ReadAsync(stoppingToken);
                Record(_latest);
            }
            catch (Exception ex) when (ex is NatsJSException or NATS.Client.Core.NatsException or TimeoutException)
            {
                // The broker is away: the gauges keep their last reading until it is back.
                LogReadFailed(_logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>This gateway's samples of the last hour, oldest first (each gateway keeps its own since it started).</summary>
    public IReadOnlyList<DepthSample> History()
    {
        lock (_historyLock)
        {
            return [.. _history];
        }
    }

    private void Record(QueueSnapshot snapshot)
    {
        lock (_historyLock)
        {
            foreach (var pool in snapshot.Consumers.GroupBy(c => c.Pool))
            {
                _history.Enqueue(new DepthSample(snapshot.ReadAt, pool.Key, pool.Sum(c => c.Pending), pool.Sum(c => c.AckPending)));
            }
            while (_history.TryPeek(out var oldest) && snapshot.ReadAt - oldest.At > HistorySpan)
            {
                _history.Dequeue();
            }
        }
    }

    /// <summary>The queues as they are now, read from JetStream (what <c>GET /admin/queues</c> answers).</summary>
    public async Task<QueueSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var consumers = new List<ConsumerDepth>();
        foreach (var pool in Pools.Queued)
        {
            foreach (var priority in Subjects.PrioritiesInOrder)
            {
                try
                {
                    var info = (await _js.GetConsumerAsync(Subjects.TaskStream, Subjects.Consumer(pool, priority), cancellationToken)).Info;
                    consumers.Add(new ConsumerDepth(pool, WireNames.Of(priority), (long)info.NumPending, info.NumAckPending, info.NumRedelivered, info.Delivered?.LastActive is { } last && last > DateTimeOffset.UnixEpoch ? last : null));
                }
                catch (NatsJSApiException ex) when (ex.Error.Code == 404)
                {
                    // The pool has not run yet: it has no consumer to read.
                }
            }
        }
        var dead = new Dictionary<string, long>();
        var stream = await _js.GetStreamAsync(Subjects.DeadLetterStream, new StreamInfoRequest { SubjectsFilter = "neutrino.dead.>" }, cancellationToken);
        foreach (var (subject, count) in stream.Info.State.Subjects ?? new Dictionary<string, long>())
        {
            // neutrino.dead.{pool}.{task}
            var pool = subject.Split('.')[2];
            dead[pool] = dead.GetValueOrDefault(pool) + count;
        }
        return new QueueSnapshot(consumers, [.. Pools.Queued.Select(pool => new DeadLetterCount(pool, dead.GetValueOrDefault(pool)))], _time.GetUtcNow());
    }

    private IEnumerable<Measurement<long>> Consumers(Func<ConsumerDepth, long> value) =>
        _latest.Consumers.Select(c => new Measurement<long>(value(c), new TagList { { "pool", c.Pool }, { "priority", c.Priority } }));

    private IEnumerable<Measurement<long>> DeadLetters() =>
        _latest.DeadLetters.Select(d => new Measurement<long>(d.Messages, new TagList { { "pool", d.Pool } }));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not read the queues' depth; the gauges keep their last values")]
    private static partial void LogReadFailed(ILogger logger, Exception error);
}

/// <summary>One priority's consumer of one pool: waiting, handed out and unacknowledged, delivered more than once.</summary>
internal sealed record ConsumerDepth(string Pool, string Priority, long Pending, long AckPending, long Redelivered, DateTimeOffset? LastDelivered);

internal sealed record DeadLetterCount(string Pool, long Messages);

internal sealed record QueueSnapshot(IReadOnlyList<ConsumerDepth> Consumers, IReadOnlyList<DeadLetterCount> DeadLetters, DateTimeOffset ReadAt)
{
    /// <summary>One pool's waiting and handed-out messages at a moment, every priority summed.</summary>
    public IReadOnlyList<DepthSample> History { get; init; } = [];
}

internal sealed record DepthSample(DateTimeOffset At, string Pool, long Pending, long AckPending);
