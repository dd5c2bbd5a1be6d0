using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Neutrino.Core.Storage;

/// <summary>API keys and tenants in PostgreSQL: made, listed, revoked; read whole by each gateway to authenticate from memory.</summary>
public sealed class ApiKeyStore(IDbContextFactory<TaskDbContext> contexts, TimeProvider time)
{
    public const string AdminRole = "admin";
    public const string MemberRole = "member";

    public static byte[] Hash(ReadOnlySpan<char> key)
    {
        var bytes = Encoding.UTF8.GetBytes(key.ToArray());
        return SHA256.HashData(bytes);
    }

    /// <summary>A new key's secret: a prefix that says what it is, and 192 random bits.</summary>
    public static string NewSecret() => "nk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>The keys not revoked.</summary>
    public async Task<IReadOnlyList<ApiKeyRecord>> ActiveAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ApiKeys.AsNoTracking().Where(k => k.RevokedAt == null).ToListAsync(cancellationToken);
    }

    /// <summary>The key with this hash, unless revoked.</summary>
    public async Task<ApiKeyRecord?> FindActiveAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == hash && k.RevokedAt == null, cancellationToken);
    }

    public async Task<bool> IsActiveAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ApiKeys.AnyAsync(k => k.Id == id && k.RevokedAt == null, cancellationToken);
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ThenBy(k => k.Id).ToListAsync(cancellationToken);
    }

    public async Task<ApiKeyRecord> CreateAsync(string name, string tenant, string role, byte[] hash, CancellationToken cancellationToken)
    {
        var record = new ApiKeyRecord { Id = Guid.CreateVersion7(), Name = name, Tenant = tenant, Role = role, KeyHash = hash, CreatedAt = time.GetUtcNow() };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ApiKeys.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        return record;
    }

    /// <summary>A key configured rather than made (the bootstrap key): recorded once, by whichever gateway is first; its id comes from its hash.</summary>
    public async Task EnsureAsync(string name, string tenant, string role, byte[] hash, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO api_keys (id, name, tenant, role, key_hash, created_at) VALUES ({new Guid(hash.AsSpan(0, 16))}, {name}, {tenant}, {role}, {hash}, {time.GetUtcNow()}) ON CONFLICT DO NOTHING",
            cancellationToken);
    }

    /// <summary>Revokes a key; null when there is no such key. Revoking twice keeps the first time.</summary>
    public async Task<ApiKeyRecord?> RevokeAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var record = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (record is null)
        {
            return null;
        }
        record.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return record;
    }

    public async Task TouchAsync(IReadOnlyCollection<Guid> used, CancellationToken cancellationToken)
    {
        if (used.Count == 0)
        {
            return;
        }
        var ids = used.ToArray();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"UPDATE api_keys SET last_used_at = {time.GetUtcNow()} WHERE id = ANY({ids})", cancellationToken);
    }

    public async Task<IReadOnlyList<TenantRecord>> TenantsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Tenants.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken);
    }

    public async Task<TenantRecord> SetTenantAsync(string name, int? maxQueued, int? submissionsPerSecond, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO tenants (name, max_queued, submissions_per_second, created_at, updated_at) VALUES ({name}, {maxQueued}, {submissionsPerSecond}, {now}, {now})
            ON CONFLICT (name) DO UPDATE SET max_queued = EXCLUDED.max_queued, submissions_per_second = EXCLUDED.submissions_per_second, updated_at = EXCLUDED.updated_at
            """, cancellationToken);
        return await db.Tenants.AsNoTracking().SingleAsync(t => t.Name == name, cancellationToken);
    }

    /// <summary>Queued tasks per tenant, now.</summary>
    public async Task<Dictionary<string, long>> QueuedByTenantAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Tasks.AsNoTracking().Where(t => t.Status == "queued" && t.Tenant != null)
            .GroupBy(t => t.Tenant!).Select(g => new { g.Key, Count = g.LongCount() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
    }
}
