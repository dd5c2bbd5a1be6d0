using System.ComponentModel.DataAnnotations;

namespace Neutrino.Core.Workers;

/// <summary>Bound from <c>Neutrino:Worker</c>.</summary>
public sealed class WorkerOptions : IValidatableObject
{
    public const string Section = "Neutrino:Worker";

    /// <summary>Tasks this process runs at once.</summary>
    [Range(1, 10_000)]
    public int Concurrency { get; set; } = 32;

    /// <summary>Largest result a task may record, in bytes of JSON; a larger one fails the task, saying so.</summary>
    [Range(1024, 1L << 30)]
    public long MaxResultBytes { get; set; } = 4 << 20;

    /// <summary>
    /// How long a delivered message may go without a sign of life before JetStream delivers it again
    /// (the pool's consumers are created with it: give every worker of a pool the same value).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "01:00:00")]
    public TimeSpan AckWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running task tells the server it is alive; at most half of <see cref="AckWait"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the worker renews its row in the <c>workers</c> table.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan LivenessInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A worker not seen for this long is taken for dead: its running tasks may be started again by
    /// another delivery. At least twice <see cref="LivenessInterval"/>; below <see cref="AckWait"/>, so
    /// the redelivery after a crash finds the lease expired.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LivenessLease { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// On shutdown, how long running tasks may go on to finish before the rest are handed back (Nak,
    /// redelivered at once to another worker). Keep it under the host's shutdown timeout (30 s by default).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long an idle worker waits before looking for delayed retries.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:10")]
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HeartbeatInterval * 2 > AckWait)
        {
            yield return new ValidationResult(
                $"HeartbeatInterval ({HeartbeatInterval}) must be at most half of AckWait ({AckWait}), or running tasks are redelivered.",
                [nameof(HeartbeatInterval), nameof(AckWait)]);
        }
        if (LivenessInterval * 2 > LivenessLease)
        {
            yield return new ValidationResult(
                $"LivenessInterval ({LivenessInterval}) must be at most half of LivenessLease ({LivenessLease}), or live workers look dead.",
                [nameof(LivenessInterval), nameof(LivenessLease)]);
        }
    }
}
