using System.Text.Json;

namespace Neutrino.Core.Json;

/// <summary>The <c>200</c> answer to a sync task, written by the fast pool and forwarded as is.</summary>
public sealed record SyncTaskResult(Guid TaskId, string Name, string Status, JsonElement? Result, long DurationMs, string WorkerId);
