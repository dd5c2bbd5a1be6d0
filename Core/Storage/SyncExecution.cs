namespace Neutrino.Core.Storage;

/// <summary>A sync task that has already run: recorded in one go, after the caller has its answer.</summary>
public sealed record SyncExecution(
    Guid Id,
    string Name,
    string Priority,
    string? Args,
    string Status,
    string? Result,
    string? Error,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt,
    string WorkerId,
    string? Tenant = null,
    string? TraceId = null,
    string? SubmittedBy = null,
    string? IdempotencyKey = null);
