namespace Neutrino.Core.Storage;

/// <summary>
/// A worker process that is, or was lately, alive: it renews <see cref="LastSeenAt"/> while it runs
/// and removes its row when it stops cleanly. A task whose worker's row has gone stale has lost
/// its worker (see <see cref="TaskStore.TryStartAsync"/> and the gateway's sweeper).
/// </summary>
public sealed class WorkerRecord
{
    public required string Id { get; set; }

    public required string Pool { get; set; }

    public required string Host { get; set; }

    public int ProcessId { get; set; }

    public int Concurrency { get; set; }

    public int Running { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>The pool's own numbers as JSON (see <see cref="Workers.IWorkerReport"/>), renewed with the row.</summary>
    public string? Report { get; set; }
}
