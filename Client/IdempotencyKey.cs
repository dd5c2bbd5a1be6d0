using System.Buffers.Text;
using System.Security.Cryptography;

namespace Neutrino.Client;

/// <summary>Keys for <see cref="SubmitOptions.IdempotencyKey"/>.</summary>
public static class IdempotencyKey
{
    /// <summary>The longest key the gateway accepts.</summary>
    public const int MaxLength = 255;

    /// <summary>
    /// A new random key: 128 bits as 22 URL-safe base64 characters. Make it once per logical operation and keep it
    /// with that operation, so a retry after a lost answer sends the same key.
    /// </summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>Whether <paramref name="key"/> is one the gateway accepts: 1 to 255 printable ASCII characters, no spaces.</summary>
    public static bool IsValid(string? key) =>
        key is { Length: > 0 and <= MaxLength } && key.All(c => c is >= '!' and <= '~');
}
