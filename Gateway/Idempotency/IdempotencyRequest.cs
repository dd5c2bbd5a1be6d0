using System.Security.Cryptography;
using System.Text;
using Neutrino.Gateway.Auth;

namespace Neutrino.Gateway.Idempotency;

/// <summary>An <c>Idempotency-Key</c> as sent, scoped to its caller, with a fingerprint of the request it came with.</summary>
internal sealed record IdempotencyRequest(string Scope, string RequestHash, string Key)
{
    public const string Header = Core.Messaging.TaskHeaders.IdempotencyKey;
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxLength = 255;

    /// <summary>Null when the request has no key; an error when the key is unusable.</summary>
    public static IdempotencyRequest? From(HttpContext context, string task, byte[] body, out string? error)
    {
        error = null;
        var values = context.Request.Headers[Header];
        if (values.Count == 0)
        {
            return null;
        }
        if (values.Count > 1)
        {
            error = $"'{Header}' must be one value of 1 to {MaxLength} printable ASCII characters without spaces.";
            return null;
        }
        return From(context.Caller().KeyId, values.ToString(), task, body, out error);
    }

    /// <summary>A key as one caller (<paramref name="keyId"/>) sent it with <paramref name="request"/>, the bytes that fingerprint it.</summary>
    public static IdempotencyRequest? From(Guid keyId, string key, string task, ReadOnlySpan<byte> request, out string? error)
    {
        error = null;
        if (key.Length is 0 or > MaxLength || key.Any(c => c is < '!' or > '~'))
        {
            error = $"'{Header}' must be one value of 1 to {MaxLength} printable ASCII characters without spaces.";
            return null;
        }
        var fingerprint = SHA256.HashData([.. Encoding.UTF8.GetBytes(task + "\n"), .. request]);
        return new IdempotencyRequest($"{keyId:N}:{key}", Convert.ToHexStringLower(fingerprint), key);
    }
}
