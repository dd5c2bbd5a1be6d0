namespace Neutrino.Client;

/// <summary>An API key as <see cref="NeutrinoClient.ListKeysAsync"/> shows it, without its secret.</summary>
/// <param name="Id">The key's id, for <see cref="NeutrinoClient.RevokeKeyAsync"/>.</param>
/// <param name="Name">What the key is for.</param>
/// <param name="Tenant">The tenant whose tasks it submits and sees.</param>
/// <param name="Role">What it may do.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="LastUsedAt">When a request last came with it, if one has.</param>
/// <param name="RevokedAt">When it was revoked, if it has been.</param>
public sealed record ApiKeyInfo(
    string Id,
    string Name,
    string Tenant,
    ApiKeyRole Role,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt);
