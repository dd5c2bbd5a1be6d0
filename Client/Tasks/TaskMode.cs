using System.Text.Json.Serialization;

namespace Neutrino.Client;

/// <summary>How the gateway runs a task, as the catalog declares it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TaskMode>))]
public enum TaskMode
{
    /// <summary>Run by the fast pool and answered in the same request.</summary>
    [JsonStringEnumMemberName("sync")] Sync,

    /// <summary>Queued and run by the async pool; the submission answers with a task id at once.</summary>
    [JsonStringEnumMemberName("async")] Async,

    /// <summary>Queued and run by the gpu pool; the submission answers with a task id at once.</summary>
    [JsonStringEnumMemberName("gpu")] Gpu,
}
