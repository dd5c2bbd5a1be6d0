using Microsoft.AspNetCore.Http;

namespace Neutrino.Core.Http;

/// <summary>
/// Errors in OpenAI's shape, <c>{"error": {"message", "type", "param", "code"}}</c>, written by the
/// gpu pool for <c>/v1</c> and by the gateway for its own refusals there, so OpenAI clients read both.
/// </summary>
public static class OpenAiErrors
{
    public static Task WriteAsync(HttpContext context, int status, string message, string type, string? parameter, string? code)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new OpenAiError(new OpenAiErrorBody(message, type, parameter, code)));
    }

    private sealed record OpenAiError(OpenAiErrorBody Error);

    private sealed record OpenAiErrorBody(string Message, string Type, string? Param, string? Code);
}
