using System.Net;

namespace Neutrino.Client;

/// <summary>
/// The gateway answered with an error: an RFC 9457 problem (<c>application/problem+json</c>) or, from something
/// in front of it, any other error answer. The subclasses name the answers worth branching on; any other
/// status is thrown as this type.
/// </summary>
public class NeutrinoApiException : Exception
{
    /// <summary>An error answer with status <paramref name="statusCode"/> and the problem's fields.</summary>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    /// <param name="title">The problem's <c>title</c>, or the status's reason phrase when the answer was no problem.</param>
    /// <param name="detail">The problem's <c>detail</c>.</param>
    /// <param name="taskId">The problem's <c>task_id</c>, when the error concerns a task that exists.</param>
    /// <param name="problemType">The problem's <c>type</c> URI.</param>
    /// <param name="responseBody">The answer's body as received.</param>
    public NeutrinoApiException(
        HttpStatusCode statusCode,
        string? title,
        string? detail,
        string? taskId = null,
        string? problemType = null,
        string? responseBody = null)
        : base(Describe(statusCode, title, detail))
    {
        StatusCode = statusCode;
        Title = title;
        Detail = detail;
        TaskId = taskId;
        ProblemType = problemType;
        ResponseBody = responseBody;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>A short, fixed summary of the kind of error.</summary>
    public string? Title { get; }

    /// <summary>What went wrong this time, in words.</summary>
    public string? Detail { get; }

    /// <summary>The task the error concerns, when one exists.</summary>
    public string? TaskId { get; }

    /// <summary>The problem's <c>type</c> URI.</summary>
    public string? ProblemType { get; }

    /// <summary>The answer's body as received, for logging what the fields above do not hold.</summary>
    public string? ResponseBody { get; }

    private static string Describe(HttpStatusCode statusCode, string? title, string? detail)
    {
        var head = $"{title ?? "Error"} ({(int)statusCode})";
        return string.IsNullOrEmpty(detail) ? head : $"{head}: {detail}";
    }
}
