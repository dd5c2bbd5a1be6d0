using System.Net;

namespace Neutrino.Client;

/// <summary><c>504</c> from a sync task: it ran past its timeout. <see cref="NeutrinoApiException.TaskId"/> is the task, <see cref="NeutrinoApiException.Detail"/> the error it was recorded with.</summary>
public sealed class TaskTimedOutException : NeutrinoApiException
{
    /// <summary>A <c>504</c> answer for task <paramref name="taskId"/>.</summary>
    /// <inheritdoc cref="NeutrinoApiException(HttpStatusCode, string?, string?, string?, string?, string?)" />
    public TaskTimedOutException(
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
