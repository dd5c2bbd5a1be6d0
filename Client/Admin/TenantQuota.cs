namespace Neutrino.Client;

/// <summary>A tenant's limits for <see cref="NeutrinoClient.SetTenantQuotaAsync"/>. A null limit means the gateway's default.</summary>
/// <param name="MaxQueued">How many of its tasks may wait in the queues at once (1 or more).</param>
/// <param name="SubmissionsPerSecond">How many submissions a second it may make (1 to 1,000,000).</param>
public sealed record TenantQuota(int? MaxQueued = null, int? SubmissionsPerSecond = null);
