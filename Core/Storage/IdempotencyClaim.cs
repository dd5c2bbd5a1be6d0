namespace Neutrino.Core.Storage;

/// <summary>The answer to a claim: this request owns the key (<see cref="Claimed"/>), or an earlier one does, with the task it created.</summary>
public sealed record IdempotencyClaim(bool Claimed, Guid TaskId, string RequestHash);
