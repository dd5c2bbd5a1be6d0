using System.Text.Json.Serialization;

namespace Neutrino.Client;

/// <summary>Where a task is in its life. <see cref="Completed"/>, <see cref="Failed"/> and <see cref="Cancelled"/> are final.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TaskState>))]
public enum TaskState
{
    /// <summary>Accepted and waiting for a worker.</summary>
    [JsonStringEnumMemberName("queued")] Queued,

    /// <summary>An attempt is under way on a worker.</summary>
    [JsonStringEnumMemberName("running")] Running,

    /// <summary>Finished with a result.</summary>
    [JsonStringEnumMemberName("completed")] Completed,

    /// <summary>Finished without a result: its last attempt failed or timed out.</summary>
    [JsonStringEnumMemberName("failed")] Failed,

    /// <summary>Cancelled before or while it ran.</summary>
    [JsonStringEnumMemberName("cancelled")] Cancelled,
}
