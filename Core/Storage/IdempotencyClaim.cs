namespace Neutrino.Core.Storage;

/// <summary>
/// The answer to a claim: this request owns the key (<see cref="Claimed"/>), or an earlier one does,
/// with the task it created and whether that request was accepted yet.
/// </summary>
public sealed record IdempotencyClaim(bool Claimed, Guid TaskId, string RequestHash, bool Accepted);
