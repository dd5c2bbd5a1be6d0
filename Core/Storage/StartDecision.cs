namespace Neutrino.Core.Storage;

/// <summary>What a delivery of a task's message may do, decided by <see cref="TaskStore.TryStartAsync"/>.</summary>
public enum StartVerdict
{
    /// <summary>Attempt <see cref="StartDecision.Attempt"/> is this delivery's to run.</summary>
    Started,

    /// <summary>The task is completed, failed or cancelled: a late copy, to be acknowledged.</summary>
    Finished,

    /// <summary>Another live worker runs the task: leave the message alone; its holder settles it.</summary>
    Held,

    /// <summary>Cancellation was asked and nobody runs the task: it ends cancelled here.</summary>
    Cancel,

    /// <summary>Every attempt is used up and the last one's worker was lost: it fails here.</summary>
    Exhausted,

    /// <summary>No such task is recorded.</summary>
    Missing,
}

/// <param name="Verdict">What the delivery may do.</param>
/// <param name="Attempt">The attempt it runs (<see cref="StartVerdict.Started"/>), or the attempts made so far.</param>
/// <param name="MaxAttempts">The task's attempt limit, as recorded when it was submitted.</param>
/// <param name="Holder">The worker recorded as running it, if any.</param>
/// <param name="Tenant">Whose task it is (see <see cref="TaskRecord.Tenant"/>).</param>
public sealed record StartDecision(StartVerdict Verdict, int Attempt, int MaxAttempts, string? Holder, string? Tenant = null)
{
    internal static StartVerdict Parse(string verdict) => verdict switch
    {
        "started" => StartVerdict.Started,
        "finished" => StartVerdict.Finished,
        "held" => StartVerdict.Held,
        "cancel" => StartVerdict.Cancel,
        "exhausted" => StartVerdict.Exhausted,
        _ => throw new InvalidOperationException($"Unknown start verdict '{verdict}'."),
    };
}
