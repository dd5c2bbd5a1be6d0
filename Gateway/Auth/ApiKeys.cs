using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Neutrino.Gateway.Auth;

/// <summary>The accepted API keys, kept as SHA-256 hashes and compared in constant time.</summary>
internal sealed class ApiKeys
{
    private readonly byte[][] _hashes;

    public ApiKeys(IOptions<ApiKeyOptions> options)
    {
        _hashes = [.. options.Value.AllKeys.Select(Hash)];
        if (_hashes.Length == 0)
        {
            throw new OptionsValidationException(ApiKeyOptions.Section, typeof(ApiKeyOptions),
                ["No API key is configured: set Neutrino__Auth__BootstrapKey (the AppHost does) or Neutrino:Auth:Keys."]);
        }
    }

    public bool IsValid(ReadOnlySpan<char> presented) => TryAuthenticate(presented, out _);

    /// <summary>
    /// Checks a presented key and, when it is valid, gives the caller's id: a stable, non-secret
    /// name for what belongs to that caller (half the key's hash, in hex). One hash per request.
    /// </summary>
    public bool TryAuthenticate(ReadOnlySpan<char> presented, [NotNullWhen(true)] out string? callerId)
    {
        callerId = null;
        if (presented.IsEmpty)
        {
            return false;
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented.ToArray()), hash);
        var valid = false;
        // Every key is compared, so timing reveals neither which key matched nor how much of it.
        foreach (var known in _hashes)
        {
            valid |= CryptographicOperations.FixedTimeEquals(hash, known);
        }
        if (valid)
        {
            callerId = Convert.ToHexStringLower(hash[..16]);
        }
        return valid;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
