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
    private volatile Snapshot _latest = new([], []);

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
            }
            catch (Exception ex) when (ex is NatsJSException or NATS.Client.Core.NatsException or TimeoutException)
            {
                // The broker is away: the gauges keep their last reading until it is back.
                LogReadFailed(_logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<Snapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var consumers = new List<ConsumerDepth>();
        foreach (var pool in Pools.Queued)
        {
            foreach (var priority in Subjects.PrioritiesInOrder)
            {
                try
                {
                    var info = (await _js.GetConsumerAsync(Subjects.TaskStream, Subjects.Consumer(pool, priority), cancellationToken)).Info;
                    consumers.Add(new ConsumerDepth(pool, WireNames.Of(priority), (long)info.NumPending, info.NumAckPending, info.NumRedelivered));
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
        return new Snapshot(consumers, [.. Pools.Queued.Select(pool => new KeyValuePair<string, long>(pool, dead.GetValueOrDefault(pool)))]);
    }

    private IEnumerable<Measurement<long>> Consumers(Func<ConsumerDepth, long> value) =>
        _latest.Consumers.Select(c => new Measurement<long>(value(c), new TagList { { "pool", c.Pool }, { "priority", c.Priority } }));

    private IEnumerable<Measurement<long>> DeadLetters() =>
        _latest.DeadLetters.Select(d => new Measurement<long>(d.Value, new TagList { { "pool", d.Key } }));

    private sealed record ConsumerDepth(string Pool, string Priority, long Pending, long AckPending, long Redelivered);

    private sealed record Snapshot(IReadOnlyList<ConsumerDepth> Consumers, IReadOnlyList<KeyValuePair<string, long>> DeadLetters);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not read the queues' depth; the gauges keep their last values")]
    private static partial void LogReadFailed(ILogger logger, Exception error);
}
