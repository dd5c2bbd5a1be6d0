using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using Neutrino.Core.Storage;

namespace Neutrino.Gateway.Auth;

/// <summary>
/// The keys this gateway accepts, in memory: every key not revoked, by the SHA-256 of its secret,
/// read again from PostgreSQL every <see cref="ApiKeyOptions.RefreshInterval"/> (see
/// <see cref="ApiKeyRefresher"/>). The bootstrap key is known from configuration, so it works even
/// before the first read, and while the database is away.
/// </summary>
internal sealed class ApiKeys
{
    private readonly byte[] _bootstrapHash;
    private readonly ApiCaller _bootstrap;
    private FrozenDictionary<string, ApiCaller> _byHash;
    private readonly ConcurrentDictionary<Guid, byte> _used = new();

    public ApiKeys(IOptions<ApiKeyOptions> options)
    {
        if (string.IsNullOrWhiteSpace(options.Value.BootstrapKey))
        {
            throw new OptionsValidationException(ApiKeyOptions.Section, typeof(ApiKeyOptions),
                ["No bootstrap key is configured: set Neutrino__Auth__BootstrapKey (the AppHost does)."]);
        }
        _bootstrapHash = ApiKeyStore.Hash(options.Value.BootstrapKey.Trim());
        _bootstrap = new ApiCaller(BootstrapId, "bootstrap", options.Value.BootstrapTenant, IsAdmin: true);
        _byHash = new Dictionary<string, ApiCaller> { [Convert.ToHexString(_bootstrapHash)] = _bootstrap }.ToFrozenDictionary();
    }

    public byte[] BootstrapHash => _bootstrapHash;

    /// <summary>The bootstrap key's id in <c>api_keys</c>: made from its hash, so every gateway records the same row.</summary>
    public Guid BootstrapId => new(_bootstrapHash.AsSpan(0, 16));

    public ApiCaller Bootstrap => _bootstrap;

    /// <summary>
    /// The caller a presented key belongs to. A lookup by the hash of what was presented: timing can
    /// tell nothing about a valid key, as finding one means finding a preimage of its hash.
    /// </summary>
    public bool TryAuthenticate(ReadOnlySpan<char> presented, [NotNullWhen(true)] out ApiCaller? caller)
    {
        caller = null;
        if (presented.IsEmpty || !_byHash.TryGetValue(Convert.ToHexString(ApiKeyStore.Hash(presented)), out caller))
        {
            return false;
        }
        // A lock-free read first: the set changes once per key per refresh, not with every request.
        if (!_used.ContainsKey(caller.KeyId))
        {
            _used.TryAdd(caller.KeyId, 0);
        }
        return true;
    }

    /// <summary>Replaces the accepted keys with what the store holds now; the bootstrap key stays unless revoked there.</summary>
    public void Load(IEnumerable<ApiKeyRecord> active, bool bootstrapRevoked)
    {
        var byHash = active.ToDictionary(
            k => Convert.ToHexString(k.KeyHash),
            k => new ApiCaller(k.Id, k.Name, k.Tenant, k.Role == ApiKeyStore.AdminRole));
        if (!bootstrapRevoked)
        {
            byHash[Convert.ToHexString(_bootstrapHash)] = _bootstrap;
        }
        _byHash = byHash.ToFrozenDictionary();
    }

    /// <summary>A key this gateway made: accepted here at once, elsewhere at their next read.</summary>
    public void Add(ApiKeyRecord key) =>
        _byHash = _byHash.Append(new(Convert.ToHexString(key.KeyHash), new ApiCaller(key.Id, key.Name, key.Tenant, key.Role == ApiKeyStore.AdminRole)))
            .ToFrozenDictionary();

    /// <summary>A key this gateway revoked: refused here at once, elsewhere at their next read.</summary>
    public void Remove(Guid id) => _byHash = _byHash.Where(k => k.Value.KeyId != id).ToFrozenDictionary();

    /// <summary>The keys used since the last call, for their <c>last_used_at</c>.</summary>
    public IReadOnlyCollection<Guid> TakeUsed()
    {
        var used = _used.Keys.ToList();
        foreach (var id in used)
        {
            _used.TryRemove(id, out _);
        }
        return used;
    }
}
