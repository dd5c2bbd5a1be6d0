namespace Neutrino.Core.Storage;

/// <summary>
/// An <c>Idempotency-Key</c> a caller sent, bound to the task it created. The scope is the caller's
/// API key (hashed) and the key, so two callers never share a key.
/// </summary>
public sealed class IdempotencyKey
{
    public required string Scope { get; set; }

    public Guid TaskId { get; set; }

    /// <summary>SHA-256 of the task name and body: the same key with another request is refused.</summary>
    public required string RequestHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// When the request that created the task was answered as accepted (a queued task durably in its
    /// queue, a sync task run); until then a repeat is not told the task exists.
    /// </summary>
    public DateTimeOffset? AcceptedAt { get; set; }
}
