using System.Net;
using System.Text.Json;

namespace Neutrino.Client;

/// <summary>Turns an error answer into the exception that names it.</summary>
internal static class ApiErrors
{
    public static async Task<NeutrinoApiException> ReadAsync(
        HttpResponseMessage response, bool taskCall, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var problem = Parse(body);
        var status = response.StatusCode;
        var title = problem?.Title ?? response.ReasonPhrase;
        var detail = problem?.Detail;
        var taskId = problem?.TaskId;
        var type = problem?.Type;
        return (int)status switch
        {
            400 or 413 or 422 => new ValidationException(status, title, detail, taskId, type, body),
            401 or 403 => new UnauthorizedException(status, title, detail, taskId, type, body),
            404 when taskCall => new TaskNotFoundException(status, title, detail, taskId, type, body),
            404 => new NotFoundException(status, title, detail, taskId, type, body),
            409 => new ConflictException(status, title, detail, taskId, type, body),
            429 => new RateLimitedException(status, title, detail, RetryAfter(response, time), taskId, type, body),
            // Without a task id a 500 or 504 is the gateway's own failure (or a proxy's), not a task's.
            500 when taskId is not null => new TaskFailedException(status, title, detail, taskId, type, body),
            503 => new ServiceUnavailableException(status, title, detail, RetryAfter(response, time), taskId, type, body),
            504 when taskId is not null => new TaskTimedOutException(status, title, detail, taskId, type, body),
            _ => new NeutrinoApiException(status, title, detail, taskId, type, body),
        };
    }

    /// <summary>The problem in <paramref name="body"/>, or null when the body is not one (a proxy's HTML page, say).</summary>
    private static ProblemBody? Parse(string body)
    {
        if (!body.AsSpan().TrimStart().StartsWith("{"))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(body, ClientJsonContext.Default.ProblemBody);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > time.GetUtcNow() ? date - time.GetUtcNow() : TimeSpan.Zero,
        _ => null,
    };
}
