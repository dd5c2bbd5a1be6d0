namespace Neutrino.Gateway.Auth;

/// <summary>Who is calling: the key the request presented, its tenant and its role.</summary>
internal sealed record ApiCaller(Guid KeyId, string Name, string Tenant, bool IsAdmin)
{
    /// <summary>The tenant whose tasks the caller may see and act on; null for an admin, who may see all.</summary>
    public string? VisibleTenant => IsAdmin ? null : Tenant;

    public bool MaySee(string? tenant) => IsAdmin || tenant == Tenant;

    /// <summary>Who acted, as a task's history records it: the key's name, role and tenant.</summary>
    public string Describe() => $"key '{Name}' ({(IsAdmin ? "admin" : "member")} of tenant '{Tenant}')";
}
