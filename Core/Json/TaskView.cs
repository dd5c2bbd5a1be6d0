using System.Text.Json;

namespace Neutrino.Core.Json;

/// <summary>A task as <c>GET /tasks/{id}</c> shows it.</summary>
public sealed record TaskView(
    Guid Id,
    string Name,
    string Mode,
    string Pool,
    string Status,
    string Priority,
    JsonElement? Args,
    JsonElement? Result,
    string? Error,
    int Attempts,
    int MaxAttempts,
    double? Progress,
    string? ProgressMessage,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    long? DurationMs,
    string? WorkerId,
    string? TraceId,
    string? Tenant,
    string? SubmittedBy = null,
    string? IdempotencyKey = null);
