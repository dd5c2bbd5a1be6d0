namespace Neutrino.Core.Storage;

/// <summary>A task's current state: one row per task, denormalised for the dashboard's filters.</summary>
public sealed class TaskRecord
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public required string Mode { get; set; }

    public required string Pool { get; set; }

    public required string Status { get; set; }

    public required string Priority { get; set; }

    public string? Args { get; set; }

    public string? Result { get; set; }

    public string? Error { get; set; }

    public int Attempts { get; set; }

    public int MaxAttempts { get; set; }

    public double? Progress { get; set; }

    public string? ProgressMessage { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public string? WorkerId { get; set; }

    public DateTimeOffset? CancelRequestedAt { get; set; }

    /// <summary>Which delivery of the task's message runs the current attempt: a retried start write recognises itself by it.</summary>
    public string? RunToken { get; set; }

    /// <summary>
    /// The tenant of the API key that submitted the task. Handlers see it as
    /// <see cref="Workers.TaskContext.Tenant"/>; it scopes what a task reads and writes, and who may see it.
    /// </summary>
    public string? Tenant { get; set; }

    /// <summary>The W3C trace id of the request that submitted the task: its trace shows every attempt, across processes.</summary>
    public string? TraceId { get; set; }

    /// <summary>The <c>Idempotency-Key</c> the task was submitted with, as the caller sent it.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>The name of the API key that submitted the task.</summary>
    public string? SubmittedBy { get; set; }
}
