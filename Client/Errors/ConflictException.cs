using System.Net;

namespace Neutrino.Client;

/// <summary><c>409</c>: the request clashes with the current state: a task already finished (cancel) or not failed (retry), or a submission with the same idempotency key still in flight (retry shortly).</summary>
public sealed class ConflictException : NeutrinoApiException
{
    /// <summary>A <c>409</c> answer.</summary>
    /// <inheritdoc cref="NeutrinoApiException(HttpStatusCode, string?, string?, string?, string?, string?)" />
    public ConflictException(
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
