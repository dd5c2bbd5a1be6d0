namespace Neutrino.Client;

/// <summary>What a submission may say besides the task's arguments.</summary>
public sealed record SubmitOptions
{
    /// <summary>The task's priority; null leaves it to the gateway (normal).</summary>
    public TaskPriority? Priority { get; init; }

    /// <summary>
    /// Sent as <c>Idempotency-Key</c>: the same key from the same API key, within the gateway's window (24 hours by
    /// default), answers with the task it first created instead of creating another. 1 to 255 printable ASCII
    /// characters without spaces; <see cref="Client.IdempotencyKey.New"/> makes one.
    /// </summary>
    public string? IdempotencyKey { get; init; }
}
