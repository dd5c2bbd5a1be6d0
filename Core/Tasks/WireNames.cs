namespace Neutrino.Core.Tasks;

/// <summary>The lower-case names the HTTP API, the database and the subjects use for the enums.</summary>
public static class WireNames
{
    public static string Of(TaskState state) => state switch
    {
        TaskState.Queued => "queued",
        TaskState.Running => "running",
        TaskState.Completed => "completed",
        TaskState.Failed => "failed",
        TaskState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static string Of(TaskMode mode) => mode switch
    {
        TaskMode.Sync => "sync",
        TaskMode.Async => "async",
        TaskMode.Gpu => "gpu",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    public static string Of(TaskPriority priority) => priority switch
    {
        TaskPriority.High => "high",
        TaskPriority.Normal => "normal",
        TaskPriority.Low => "low",
        _ => throw new ArgumentOutOfRangeException(nameof(priority), priority, null),
    };

    public static bool TryParse(string? value, out TaskState state) => TryParseEnum(value, out state);

    public static bool TryParse(string? value, out TaskMode mode) => TryParseEnum(value, out mode);

    public static bool TryParse(string? value, out TaskPriority priority) => TryParseEnum(value, out priority);

    public static bool IsTerminal(this TaskState state) =>
        state is TaskState.Completed or TaskState.Failed or TaskState.Cancelled;

    private static bool TryParseEnum<T>(string? value, out T result) where T : struct, Enum
    {
        // Enum.TryParse also accepts numbers ("2"); the wire format is names only.
        if (string.IsNullOrEmpty(value) || !char.IsAsciiLetterLower(value[0]))
        {
            result = default;
            return false;
        }
        return Enum.TryParse(value, ignoreCase: true, out result);
    }
}
