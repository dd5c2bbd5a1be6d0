using System.Net;

namespace Neutrino.Client;

/// <summary><c>404</c> from a task call: no task has that id (or it is another tenant's), or, on a submission, no task of that name is in the catalog.</summary>
public sealed class TaskNotFoundException : NotFoundException
{
    /// <summary>A <c>404</c> answer to a task call.</summary>
    /// <inheritdoc cref="NeutrinoApiException(HttpStatusCode, string?, string?, string?, string?, string?)" />
    public TaskNotFoundException(
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
