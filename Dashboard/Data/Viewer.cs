using System.Security.Claims;
using Neutrino.Core.Storage;

namespace Neutrino.Dashboard.Data;

/// <summary>Who is logged in: an admin sees and acts on every tenant; a member on its own tenant's tasks only.</summary>
public sealed record Viewer(string Name, string Tenant, bool IsAdmin, string Key)
{
    /// <summary>The tenant whose tasks this viewer sees; null for an admin, who sees all.</summary>
    public string? VisibleTenant => IsAdmin ? null : Tenant;

    public static Viewer From(ClaimsPrincipal user) => new(
        user.Identity?.Name ?? "",
        user.FindFirstValue(DashboardLogin.TenantClaim) ?? "",
        user.IsInRole(ApiKeyStore.AdminRole),
        user.FindFirstValue(DashboardLogin.KeyClaim) ?? "");
}
