using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Neutrino.Core.Storage;

namespace Neutrino.Dashboard;

/// <summary>
/// The dashboard asks for an admin key, then keeps the login in an auth cookie (HTTP-only, same-site
/// strict). The key is checked again on every request, so a revoked key logs its sessions out.
/// </summary>
internal static class DashboardLogin
{
    private const string KeyIdClaim = "neutrino:key_id";
    private const string BootstrapId = "bootstrap";

    public static IHostApplicationBuilder AddDashboardLogin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(options =>
        {
            options.LoginPath = "/login";
            options.Cookie.Name = "neutrino.dashboard";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
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
        string id, name, tenant;
        if (presented.Length > 0 && configuration["Neutrino:Auth:BootstrapKey"] is { Length: > 0 } bootstrap
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(hash, ApiKeyStore.Hash(bootstrap.Trim())))
        {
            (id, name, tenant) = (BootstrapId, "bootstrap", configuration["Neutrino:Auth:BootstrapTenant"] ?? "default");
        }
        else if (presented.Length > 0 && await keys.FindActiveAsync(hash, cancellationToken) is { Role: ApiKeyStore.AdminRole } admin)
        {
            (id, name, tenant) = (admin.Id.ToString(), admin.Name, admin.Tenant);
        }
        else
        {
            // One answer for unknown, revoked and member keys: the page says what is needed.
            return Results.Redirect("/login?failed=1");
        }
        var identity = new ClaimsIdentity(
            [new Claim(KeyIdClaim, id), new Claim(ClaimTypes.Name, name), new Claim("neutrino:tenant", tenant), new Claim(ClaimTypes.Role, ApiKeyStore.AdminRole)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return Results.Redirect("/");
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
