using System.Text.Json;

namespace Neutrino.Client;

/// <summary>The body of <c>POST /api/{task}</c>.</summary>
internal sealed record SubmitRequest(JsonElement Args, TaskPriority? Priority);

/// <summary>The <c>202</c> answer to a queued task or a retry.</summary>
internal sealed record TaskAccepted(string TaskId, TaskState Status, string? PollUrl);

/// <summary>The <c>200</c> answer to a sync task.</summary>
internal sealed record SyncTaskAnswer(string TaskId, string Name, TaskState Status, JsonElement? Result, long DurationMs, string? WorkerId);

/// <summary>The body of <c>POST /admin/keys</c>.</summary>
internal sealed record CreateKeyRequest(string Name, string Tenant, ApiKeyRole Role);

/// <summary>An RFC 9457 problem, with the gateway's <c>task_id</c> extension.</summary>
internal sealed record ProblemBody(string? Type, string? Title, int? Status, string? Detail, string? TaskId);
