using System.Text.Json.Serialization;

namespace Neutrino.Client;

/// <summary>The order in which a pool takes queued tasks.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TaskPriority>))]
public enum TaskPriority
{
    /// <summary>Taken before normal and low tasks.</summary>
    [JsonStringEnumMemberName("high")] High,

    /// <summary>The default.</summary>
    [JsonStringEnumMemberName("normal")] Normal,

    /// <summary>Taken when no high or normal task waits.</summary>
    [JsonStringEnumMemberName("low")] Low,
}
