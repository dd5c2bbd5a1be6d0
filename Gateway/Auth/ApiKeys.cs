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

    public bool IsValid(ReadOnlySpan<char> presented)
    {
        if (presented.IsEmpty)
        {
            return false;
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var bytes = Encoding.UTF8.GetBytes(presented.ToArray());
        SHA256.HashData(bytes, hash);
        var valid = false;
        // Every key is compared, so timing reveals neither which key matched nor how much of it.
        foreach (var known in _hashes)
        {
            valid |= CryptographicOperations.FixedTimeEquals(hash, known);
        }
        return valid;
    }

    /// <summary>A stable, non-secret id of the caller behind a key, for scoping what belongs to it.</summary>
    public static string CallerId(ReadOnlySpan<char> key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToArray())))[..32];

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
