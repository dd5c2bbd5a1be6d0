using Neutrino.Core.Tasks;

namespace Neutrino.Core.Workers;

public enum OutcomeKind
{
    Completed,
    Failed,
    TimedOut,
    Cancelled,
}

/// <summary>How one run of a handler ended.</summary>
public sealed record TaskOutcome(OutcomeKind Kind, byte[]? Result = null, string? Error = null, bool Retryable = false)
{
    public TaskState State => Kind switch
    {
        OutcomeKind.Completed => TaskState.Completed,
        OutcomeKind.Cancelled => TaskState.Cancelled,
        _ => TaskState.Failed,
    };
}
