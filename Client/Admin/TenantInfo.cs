namespace Neutrino.Client;

/// <summary>A tenant with the limits in force and its queued tasks.</summary>
/// <param name="Name">The tenant.</param>
/// <param name="MaxQueued">How many of its tasks may wait at once; null when no limit applies.</param>
/// <param name="SubmissionsPerSecond">How many submissions a second it may make; null when no limit applies.</param>
/// <param name="Queued">How many of its tasks wait now, as this gateway counts them.</param>
public sealed record TenantInfo(string Name, int? MaxQueued, int? SubmissionsPerSecond, long Queued);
