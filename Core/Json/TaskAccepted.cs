namespace Neutrino.Core.Json;

/// <summary>The <c>202</c> answer to a queued task.</summary>
public sealed record TaskAccepted(Guid TaskId, string Status, string PollUrl);
