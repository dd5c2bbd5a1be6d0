namespace Neutrino.Core.Storage;

/// <summary>A task about to be recorded as queued.</summary>
public sealed record NewTask(Guid Id, string Name, string Mode, string Pool, string Priority, string? Args, int MaxAttempts, DateTimeOffset CreatedAt, string? Tenant = null, string? TraceId = null,
    string? SubmittedBy = null, string? IdempotencyKey = null);
