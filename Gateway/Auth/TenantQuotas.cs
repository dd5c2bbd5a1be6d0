using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Neutrino.Core.Storage;
using Neutrino.Gateway.Extensions;

namespace Neutrino.Gateway.Auth;

/// <summary>
/// Each tenant's quotas: a submission rate (a token bucket per tenant, in each gateway) and a most of
/// its tasks queued at once (the store's count, read with the keys, plus what this gateway accepted
/// since). Both are refused with 429 and Retry-After. Across gateways the queued bound holds to within
/// what they accept in one refresh interval.
/// </summary>
internal sealed class TenantQuotas : IDisposable
{
    private readonly GatewayOptions _options;
    private readonly PartitionedRateLimiter<(string Tenant, int Rate)> _rates;
    private readonly ConcurrentDictionary<string, long> _acceptedSinceRead = new();
    private FrozenDictionary<string, TenantRecord> _tenants = FrozenDictionary<string, TenantRecord>.Empty;
    private FrozenDictionary<string, long> _queuedAtRead = FrozenDictionary<string, long>.Empty;

    public TenantQuotas(IOptions<GatewayOptions> options)
    {
        _options = options.Value;
        // The rate is part of the partition: a changed quota is a new bucket at once.
        _rates = PartitionedRateLimiter.Create<(string Tenant, int Rate), (string, int)>(key => RateLimitPartition.GetTokenBucketLimiter(key, k => new TokenBucketRateLimiterOptions
        {
            TokenLimit = k.Item2,
            TokensPerPeriod = k.Item2,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    public void Load(IEnumerable<TenantRecord> tenants, IReadOnlyDictionary<string, long> queued)
    {
        _tenants = tenants.ToFrozenDictionary(t => t.Name);
        _queuedAtRead = queued.ToFrozenDictionary();
        _acceptedSinceRead.Clear();
    }

    /// <summary>A tenant's quotas as this gateway just set them: in force here at once, elsewhere at their next read.</summary>
    public void Set(TenantRecord tenant) =>
        _tenants = _tenants.Where(t => t.Key != tenant.Name).Append(new(tenant.Name, tenant)).ToFrozenDictionary();

    public (int? MaxQueued, int? SubmissionsPerSecond) Of(string tenant) => _tenants.TryGetValue(tenant, out var row)
        ? (row.MaxQueued ?? _options.DefaultMaxQueuedPerTenant, row.SubmissionsPerSecond ?? _options.DefaultSubmissionsPerSecondPerTenant)
        : (_options.DefaultMaxQueuedPerTenant, _options.DefaultSubmissionsPerSecondPerTenant);

    public long QueuedOf(string tenant) =>
        _queuedAtRead.GetValueOrDefault(tenant) + _acceptedSinceRead.GetValueOrDefault(tenant);

    /// <summary>Null when the tenant may submit one more task (counted if it is queued); else why not.</summary>
    public string? TryAdmit(string tenant, bool queued)
    {
        var (maxQueued, rate) = Of(tenant);
        if (rate is > 0)
        {
            using var lease = _rates.AttemptAcquire((tenant, rate.Value));
            if (!lease.IsAcquired)
            {
                return $"Tenant '{tenant}' may submit {rate} tasks per second.";
            }
        }
        if (queued && maxQueued is { } max)
        {
            if (QueuedOf(tenant) >= max)
            {
                return $"Tenant '{tenant}' has {QueuedOf(tenant)} tasks queued, its limit of {max}; submit more once some have started.";
            }
            _acceptedSinceRead.AddOrUpdate(tenant, 1, static (_, n) => n + 1);
        }
        return null;
    }

    public void Dispose() => _rates.Dispose();
}
