using System.Net;

namespace Neutrino.Client;

/// <summary><c>404</c>: what the request names does not exist, or belongs to another tenant.</summary>
public class NotFoundException : NeutrinoApiException
{
    /// <summary>A <c>404</c> answer.</summary>
    /// <inheritdoc cref="NeutrinoApiException(HttpStatusCode, string?, string?, string?, string?, string?)" />
    public NotFoundException(
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
