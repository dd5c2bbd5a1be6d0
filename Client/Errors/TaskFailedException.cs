using System.Net;

namespace Neutrino.Client;

/// <summary>
/// <c>500</c> from a sync task: its handler failed. <see cref="NeutrinoApiException.TaskId"/> is the task and
/// <see cref="Error"/> what it failed with. <see cref="NeutrinoClient.RunAsync{TArgs, TResult}(string, TArgs, CancellationToken)"/>
/// throws it too when a task it had to wait for ends failed or cancelled, as the gateway would have answered a sync task.
/// </summary>
public sealed class TaskFailedException : NeutrinoApiException
{
    /// <summary>A <c>500</c> answer for task <paramref name="taskId"/>.</summary>
    /// <inheritdoc cref="NeutrinoApiException(HttpStatusCode, string?, string?, string?, string?, string?)" />
    public TaskFailedException(
        HttpStatusCode statusCode,
        string? title,
        string? detail,
        string? taskId = null,
        string? problemType = null,
        string? responseBody = null)
        : base(statusCode, title, detail, taskId, problemType, responseBody)
    {
    }

    /// <summary>The error the task failed with: the problem's <c>detail</c>.</summary>
    public string? Error => Detail;
}
