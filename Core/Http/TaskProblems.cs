using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Neutrino.Core.Http;

/// <summary>The RFC 9457 problem answers of the API, with a <c>task_id</c> extension where a task exists.</summary>
public static class TaskProblems
{
    public static ProblemHttpResult UnknownTask(string name) =>
        Problem(StatusCodes.Status404NotFound, "Unknown task", $"No task named '{name}' is registered. GET /api lists the tasks.");

    public static ProblemHttpResult TaskNotFound(Guid id) =>
        Problem(StatusCodes.Status404NotFound, "Task not found", $"There is no task with id '{id}'.");

    public static ProblemHttpResult BadRequest(string detail) =>
        Problem(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static ProblemHttpResult TooLarge(long limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The request body is over the limit of {limit} bytes.");

    public static ProblemHttpResult Failed(Guid taskId, string error) =>
        Problem(StatusCodes.Status500InternalServerError, "Task failed", error, taskId);

    public static ProblemHttpResult TimedOut(Guid taskId, string error) =>
        Problem(StatusCodes.Status504GatewayTimeout, "Task timed out", error, taskId);

    public static ProblemHttpResult Unavailable(string detail, Guid? taskId = null) =>
        Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail, taskId);

    public static ProblemHttpResult Conflict(Guid taskId, string detail) =>
        Problem(StatusCodes.Status409Conflict, "Conflict", detail, taskId);

    public static ProblemHttpResult Problem(int status, string title, string detail, Guid? taskId = null) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: status,
            title: title,
            extensions: taskId is { } id ? new Dictionary<string, object?> { ["task_id"] = id } : null);
}
