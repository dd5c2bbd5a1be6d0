using System.Diagnostics;
using System.Diagnostics.Metrics;
using Neutrino.Core.Tasks;
using Neutrino.Core.Workers;

namespace Neutrino.Core.Telemetry;

/// <summary>
/// What an operator and an autoscaler read about tasks, on the <see cref="NeutrinoTelemetry.Meter"/>:
/// counters of what happens to tasks, by task and pool; how long tasks wait and run; how many run now.
/// In Prometheus text they read <c>neutrino_tasks_submitted_total</c>, <c>neutrino_tasks_queue_wait_seconds</c>, and so on.
/// </summary>
public static class TaskMetrics
{
    private static readonly Meter Meter = NeutrinoTelemetry.Meter;

    // Seconds from a millisecond to an hour: no-op tasks and hour-long ones on the same histogram.
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    };

    private static readonly Counter<long> Submitted = Meter.CreateCounter<long>(
        "neutrino.tasks.submitted", "{task}", "Tasks accepted: queued tasks once durable, sync tasks once their fast pool takes them.");

    private static readonly Counter<long> Started = Meter.CreateCounter<long>(
        "neutrino.tasks.started", "{attempt}", "Attempts started (a retried task starts once per attempt).");

    private static readonly Counter<long> Completed = Meter.CreateCounter<long>("neutrino.tasks.completed", "{task}", "Tasks that completed.");

    private static readonly Counter<long> Failed = Meter.CreateCounter<long>("neutrino.tasks.failed", "{task}", "Tasks that failed for good (after their last attempt).");

    private static readonly Counter<long> Cancelled = Meter.CreateCounter<long>("neutrino.tasks.cancelled", "{task}", "Tasks that were cancelled.");

    private static readonly Counter<long> Retried = Meter.CreateCounter<long>(
        "neutrino.tasks.retried", "{attempt}", "Attempts that failed and were scheduled to run again.");

    private static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>(
        "neutrino.tasks.dead_lettered", "{task}", "Failed queued tasks copied to the dead-letter stream.");

    private static readonly Histogram<double> QueueWait = Meter.CreateHistogram(
        "neutrino.tasks.queue_wait", "s", "From a queued task's message being stored to an attempt starting on a worker.", advice: Seconds);

    private static readonly Histogram<double> RunDuration = Meter.CreateHistogram(
        "neutrino.tasks.duration", "s", "How long an attempt's handler ran, by outcome.", advice: Seconds);

    private static readonly UpDownCounter<long> Running = Meter.CreateUpDownCounter<long>(
        "neutrino.tasks.running", "{task}", "Attempts running now.");

    public static void RecordSubmitted(string task, string pool) => Submitted.Add(1, Tags(task, pool));

    /// <param name="queueWait">How long it waited in the queue; none for a sync task, which never queues.</param>
    public static void RecordStarted(string task, string pool, TimeSpan? queueWait)
    {
        var tags = Tags(task, pool);
        Started.Add(1, tags);
        Running.Add(1, tags);
        if (queueWait is { } wait)
        {
            QueueWait.Record(Math.Max(0, wait.TotalSeconds), tags);
        }
    }

    /// <summary>An attempt's handler returned, with <paramref name="outcome"/>.</summary>
    public static void RecordRan(string task, string pool, OutcomeKind outcome, TimeSpan duration)
    {
        var tags = Tags(task, pool);
        Running.Add(-1, tags);
        tags.Add("outcome", outcome switch
        {
            OutcomeKind.Completed => "completed",
            OutcomeKind.Failed => "failed",
            OutcomeKind.TimedOut => "timed_out",
            _ => "cancelled",
        });
        RunDuration.Record(duration.TotalSeconds, tags);
    }

    public static void RecordRetried(string task, string pool) => Retried.Add(1, Tags(task, pool));

    /// <summary>The task reached <paramref name="state"/>, a terminal one, and it was recorded (a late copy of a finished task counts nothing).</summary>
    public static void RecordFinished(string task, string pool, TaskState state)
    {
        var counter = state switch
        {
            TaskState.Completed => Completed,
            TaskState.Failed => Failed,
            TaskState.Cancelled => Cancelled,
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "not a terminal state"),
        };
        counter.Add(1, Tags(task, pool));
    }

    public static void RecordDeadLettered(string task, string pool) => DeadLettered.Add(1, Tags(task, pool));

    private static TagList Tags(string task, string pool) => new() { { "task", task }, { "pool", pool } };
}
