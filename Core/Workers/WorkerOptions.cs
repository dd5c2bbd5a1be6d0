using System.ComponentModel.DataAnnotations;

namespace Neutrino.Core.Workers;

/// <summary>Bound from <c>Neutrino:Worker</c>.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Neutrino:Worker";

    /// <summary>Tasks this process runs at once.</summary>
    [Range(1, 10_000)]
    public int Concurrency { get; set; } = 32;

    /// <summary>How often a running task tells the server it is alive; well inside the consumer's AckWait.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:00:20")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// On shutdown, how long running tasks may go on to finish before the rest are handed back (Nak,
    /// redelivered at once to another worker). Keep it under the host's shutdown timeout (30 s by default).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long an idle worker waits before looking for delayed retries.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:10")]
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromSeconds(1);
}
