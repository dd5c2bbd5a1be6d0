namespace Neutrino.Core.Storage;

/// <summary>
/// An API key: who may call, for which tenant, with which role. Only the SHA-256 of the secret is
/// kept; the secret itself is shown once, when the key is made.
/// </summary>
public sealed class ApiKeyRecord
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public required string Tenant { get; set; }

    /// <summary><c>admin</c> (every tenant, and the admin API) or <c>member</c> (its tenant only).</summary>
    public required string Role { get; set; }

    public required byte[] KeyHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
