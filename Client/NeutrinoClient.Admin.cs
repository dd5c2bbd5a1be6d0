using System.Net.Http.Json;

namespace Neutrino.Client;

// The /admin calls: an admin key only; a member key gets UnauthorizedException (403).
public sealed partial class NeutrinoClient
{
    /// <summary>Makes an API key (<c>POST /admin/keys</c>). The answer is the only one that ever holds its secret.</summary>
    /// <param name="name">What the key is for: 1 to 100 characters.</param>
    /// <param name="tenant">The tenant whose tasks it submits and sees: 1 to 64 of a-z, 0-9, '_' and '-'.</param>
    /// <param name="role">What it may do.</param>
    /// <param name="cancellationToken">Abandons the request.</param>
    /// <exception cref="ValidationException">The name, tenant or role is not one the gateway accepts.</exception>
    public async Task<CreatedApiKey> CreateKeyAsync(string name, string tenant, ApiKeyRole role, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(tenant);
        using var content = JsonContent.Create(new CreateKeyRequest(name, tenant, role), ClientJsonContext.Default.CreateKeyRequest);
        return await SendAsync(HttpMethod.Post, "admin/keys", content, ClientJsonContext.Default.CreatedApiKey, taskCall: false, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Every API key, revoked ones included, without their secrets (<c>GET /admin/keys</c>).</summary>
    public Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "admin/keys", null, ClientJsonContext.Default.IReadOnlyListApiKeyInfo, taskCall: false, cancellationToken);

    /// <summary>
    /// Revokes an API key (<c>DELETE /admin/keys/{id}</c>): at once on the gateway that answers, on the others
    /// within their refresh interval.
    /// </summary>
    /// <exception cref="NotFoundException">No key has that id.</exception>
    /// <exception cref="ConflictException">It is the bootstrap key, which is replaced by configuration, not revoked.</exception>
    public Task<ApiKeyInfo> RevokeKeyAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"admin/keys/{Segment(id, nameof(id))}", null, ClientJsonContext.Default.ApiKeyInfo, taskCall: false, cancellationToken);

    /// <summary>Sets a tenant's limits (<c>PUT /admin/tenants/{name}</c>) and answers the tenant with the limits now in force.</summary>
    /// <param name="tenant">The tenant's name.</param>
    /// <param name="quota">The limits; a null one falls back to the gateway's default.</param>
    /// <param name="cancellationToken">Abandons the request.</param>
    /// <exception cref="ValidationException">The tenant name or a limit is out of range.</exception>
    public async Task<TenantInfo> SetTenantQuotaAsync(string tenant, TenantQuota quota, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(quota);
        var path = $"admin/tenants/{Segment(tenant, nameof(tenant))}";
        using var content = JsonContent.Create(quota, ClientJsonContext.Default.TenantQuota);
        return await SendAsync(HttpMethod.Put, path, content, ClientJsonContext.Default.TenantInfo, taskCall: false, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Every tenant that has keys or limits, with the limits in force and its queued tasks (<c>GET /admin/tenants</c>).</summary>
    public Task<IReadOnlyList<TenantInfo>> ListTenantsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "admin/tenants", null, ClientJsonContext.Default.IReadOnlyListTenantInfo, taskCall: false, cancellationToken);
}
