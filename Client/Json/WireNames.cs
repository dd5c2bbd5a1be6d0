namespace Neutrino.Client;

/// <summary>The gateway's names for task states, modes and priorities, where they go outside JSON (query strings, messages).</summary>
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

    public static string Of(TaskMode mode) => mode switch
    {
        TaskMode.Sync => "sync",
        TaskMode.Async => "async",
        TaskMode.Gpu => "gpu",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a task mode."),
    };

    public static string Of(TaskPriority priority) => priority switch
    {
        TaskPriority.High => "high",
        TaskPriority.Normal => "normal",
        TaskPriority.Low => "low",
        _ => throw new ArgumentOutOfRangeException(nameof(priority), priority, "Not a task priority."),
    };
}
