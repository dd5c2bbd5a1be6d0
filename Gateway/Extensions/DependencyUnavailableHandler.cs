using Microsoft.AspNetCore.Diagnostics;
using NATS.Client.Core;
using Neutrino.Core.Http;

namespace Neutrino.Gateway.Extensions;

/// <summary>PostgreSQL or NATS unreachable while serving a request: 503 with Retry-After, not a 500.</summary>
internal sealed partial class DependencyUnavailableHandler(ILogger<DependencyUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // EF Core and the clients wrap the cause: look through the chain.
        string? dependency = null;
        for (var cause = exception; cause is not null && dependency is null; cause = cause.InnerException)
        {
            dependency = cause switch
            {
                Npgsql.NpgsqlException => "The task store",
                NatsException => "The message broker",
                _ => null,
            };
        }
        if (dependency is null)
        {
            return false;
        }
        LogUnavailable(logger, httpContext.Request.Path, exception);
        httpContext.Response.Headers.RetryAfter = "1";
        await TaskProblems.Unavailable($"{dependency} is unavailable; retry shortly.").ExecuteAsync(httpContext);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} answered 503: a dependency is unavailable")]
    private static partial void LogUnavailable(ILogger logger, string path, Exception error);
}
