using System.Net;

namespace Neutrino.Client;

/// <summary><c>429</c>: the key's tenant is over its submission rate or queued maximum, or the key has too many long polls waiting. Try again after <see cref="RetryAfter"/>.</summary>
public sealed class RateLimitedException : NeutrinoApiException
{
    /// <summary>A <c>429</c> answer, with the wait its <c>Retry-After</c> header asked for.</summary>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    /// <param name="title">The problem's <c>title</c>, or the status's reason phrase when the answer was no problem.</param>
    /// <param name="detail">The problem's <c>detail</c>.</param>
    /// <param name="retryAfter">How long to wait before trying again, from <c>Retry-After</c>; null when the answer had none.</param>
    /// <param name="taskId">The problem's <c>task_id</c>, when the error concerns a task that exists.</param>
    /// <param name="problemType">The problem's <c>type</c> URI.</param>
    /// <param name="responseBody">The answer's body as received.</param>
    public RateLimitedException(
        HttpStatusCode statusCode,
        string? title,
        string? detail,
        TimeSpan? retryAfter,
        string? taskId = null,
        string? problemType = null,
        string? responseBody = null)
        : base(statusCode, title, detail, taskId, problemType, responseBody)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long to wait before trying again, from the <c>Retry-After</c> header; null when the answer had none.</summary>
    public TimeSpan? RetryAfter { get; }
}
