namespace Neutrino.Client;

/// <summary>The gateway's names for task states, where they go outside JSON (query strings, messages).</summary>
internal static class WireNames
{
    public static string Of(TaskState state) => state switch
    {
        TaskState.Queued => "queued",
        TaskState.Running => "running",
        TaskState.Completed => "completed",
        TaskState.Failed => "failed",
        TaskState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Not a task state."),
    };
}
