using System.Net;

namespace Neutrino.Client;

/// <summary><c>401</c> (the API key is missing, unknown or revoked) or <c>403</c> (the key may not do this, e.g. a member key on an admin call); <see cref="NeutrinoApiException.StatusCode"/> tells which.</summary>
public sealed class UnauthorizedException : NeutrinoApiException
{
    /// <summary>A <c>401</c> or <c>403</c> answer.</summary>
    /// <inheritdoc cref="NeutrinoApiException(HttpStatusCode, string?, string?, string?, string?, string?)" />
    public UnauthorizedException(
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
