using System.Net;

namespace Neutrino.Client;

/// <summary><c>400</c> (the request is malformed), <c>413</c> (its body is over the gateway's limit) or <c>422</c> (its idempotency key was used before with another task or body). Sending it again unchanged will fail the same way.</summary>
public sealed class ValidationException : NeutrinoApiException
{
    /// <summary>A <c>400</c>, <c>413</c> or <c>422</c> answer.</summary>
    /// <inheritdoc cref="NeutrinoApiException(HttpStatusCode, string?, string?, string?, string?, string?)" />
    public ValidationException(
        HttpStatusCode statusCode,
        string? title,
        string? detail,
        string? taskId = null,
        string? problemType = null,
        string? responseBody = null)
        : base(statusCode, title, detail, taskId, problemType, responseBody)
    {
    }
}
