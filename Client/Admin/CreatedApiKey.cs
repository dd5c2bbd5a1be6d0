namespace Neutrino.Client;

/// <summary>A key just made by <see cref="NeutrinoClient.CreateKeyAsync"/>: the only answer that ever holds its secret.</summary>
/// <param name="Id">The key's id.</param>
/// <param name="Key">The secret, to send as <c>Authorization: Bearer</c>. Store it now: the gateway keeps only its hash.</param>
/// <param name="Name">What the key is for.</param>
/// <param name="Tenant">The tenant whose tasks it submits and sees.</param>
/// <param name="Role">What it may do.</param>
/// <param name="CreatedAt">When it was made.</param>
public sealed record CreatedApiKey(string Id, string Key, string Name, string Tenant, ApiKeyRole Role, DateTimeOffset CreatedAt)
{
    /// <summary>Leaves the secret out, so a logged key does not leak it.</summary>
    public override string ToString() => $"{Name} ({Id}, tenant {Tenant}, {Role})";
}
