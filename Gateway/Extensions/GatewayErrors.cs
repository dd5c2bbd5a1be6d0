using Neutrino.Core.Http;

namespace Neutrino.Gateway.Extensions;

/// <summary>
/// The errors the gateway answers by itself (authentication, admission, forwarding), in the shape
/// the caller's API speaks: problem+json for tasks, OpenAI's <c>{"error": {…}}</c> under <c>/v1</c>,
/// so OpenAI clients read them as they read the gpu pool's own.
/// </summary>
internal static class GatewayErrors
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail, string code)
    {
        if (!context.Request.Path.StartsWithSegments("/v1"))
        {
            return TaskProblems.Problem(status, title, detail).ExecuteAsync(context);
        }
        var type = status switch
        {
            StatusCodes.Status401Unauthorized => "authentication_error",
            StatusCodes.Status429TooManyRequests => "rate_limit_error",
            >= 500 => "server_error",
            _ => "invalid_request_error",
        };
        return OpenAiErrors.WriteAsync(context, status, detail, type, null, code);
    }
}
