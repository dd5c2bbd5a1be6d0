using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Neutrino.Core.Storage;

namespace Neutrino.Dashboard;

/// <summary>
/// The dashboard asks for an API key, then keeps the login in an auth cookie (HTTP-only, same-site
/// strict, secure when served over HTTPS, encrypted by ASP.NET Core data protection). An admin key sees
/// every tenant; a member key its own tenant's tasks. The key is checked again on every request, so a
/// revoked key logs its sessions out. The cookie holds the key itself because the dashboard's actions
/// (cancel, retry, requeue) are calls of the gateway's API made with the user's own key: the gateway's
/// rules decide who may act, and the task's history records who did.
/// </summary>
internal static class DashboardLogin
{
    private const string KeyIdClaim = "neutrino:key_id";
    public const string KeyClaim = "neutrino:key";
    public const string TenantClaim = "neutrino:tenant";
    private const string BootstrapId = "bootstrap";

    public static IHostApplicationBuilder AddDashboardLogin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(options =>
        {
            options.LoginPath = "/login";
            options.Cookie.Name = "neutrino.dashboard";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            options.Events.OnValidatePrincipal = ValidateAsync;
        });
        // Every page needs the login; the login page, its form and the probes say otherwise.
        builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return builder;
    }

    public static WebApplication MapDashboardLogin(this WebApplication app)
    {
        app.MapPost("/login", LoginAsync).AllowAnonymous();
        app.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        });
        return app;
    }

    private static async Task<IResult> LoginAsync([FromForm] string? key, HttpContext context, ApiKeyStore keys, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var presented = key?.Trim() ?? "";
        var hash = ApiKeyStore.Hash(presented);
        string id, name, tenant, role;
        if (presented.Length > 0 && configuration["Neutrino:Auth:BootstrapKey"] is { Length: > 0 } bootstrap
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(hash, ApiKeyStore.Hash(bootstrap.Trim())))
        {
            (id, name, tenant, role) = (BootstrapId, "bootstrap", configuration["Neutrino:Auth:BootstrapTenant"] ?? "default", ApiKeyStore.AdminRole);
        }
        else if (presented.Length > 0 && await keys.FindActiveAsync(hash, cancellationToken) is { } found)
        {
            (id, name, tenant, role) = (found.Id.ToString(), found.Name, found.Tenant, found.Role);
        }
        else
        {
            // One answer for unknown and revoked keys.
            return Results.Redirect("/login?failed=1");
        }
        var identity = new ClaimsIdentity(
            [new Claim(KeyIdClaim, id), new Claim(ClaimTypes.Name, name), new Claim(TenantClaim, tenant), new Claim(ClaimTypes.Role, role), new Claim(KeyClaim, presented)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return Results.Redirect("/tasks");
    }

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.FindFirstValue(KeyIdClaim);
        if (id == BootstrapId)
        {
            return;
        }
        var keys = context.HttpContext.RequestServices.GetRequiredService<ApiKeyStore>();
        if (!Guid.TryParse(id, out var keyId) || !await keys.IsActiveAsync(keyId, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }
}
