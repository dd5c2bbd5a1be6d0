using Neutrino.Gateway.Extensions;
using Neutrino.Core.Http;
using Neutrino.Gateway.Admission;

namespace Neutrino.Gateway.Auth;

internal static class ApiKeyExtensions
{
    private static readonly string[] ProtectedPrefixes = ["/api", "/tasks", "/v1", "/admin"];
    private const string CallerItem = "neutrino.caller";

    /// <summary>The authenticated caller (see <see cref="ApiKeys.TryAuthenticate"/>).</summary>
    public static ApiCaller Caller(this HttpContext context) =>
        context.Items[CallerItem] as ApiCaller ?? throw new InvalidOperationException("The request was not authenticated.");

    public static IHostApplicationBuilder AddApiKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ApiKeys>();
        builder.Services.AddSingleton<TenantQuotas>();
        builder.Services.AddHostedService<ApiKeyRefresher>();
        return builder;
    }

    /// <summary>
    /// Every request under <c>/api</c>, <c>/tasks</c> and <c>/v1</c> needs <c>Authorization: Bearer &lt;key&gt;</c>
    /// or <c>X-Api-Key</c>, and then passes admission control.
    /// </summary>
    public static WebApplication UseApiKeys(this WebApplication app)
    {
        // Resolved now: a gateway without keys fails at start-up, not on the first request.
        var keys = app.Services.GetRequiredService<ApiKeys>();
        var admission = app.Services.GetRequiredService<AdmissionControl>();
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (!ProtectedPrefixes.Any(prefix => path.StartsWithSegments(prefix)))
            {
                await next(context);
                return;
            }
            if (keys.TryAuthenticate(PresentedKey(context.Request), out var caller))
            {
                context.Items[CallerItem] = caller;
                await admission.InvokeAsync(context, caller.KeyId.ToString(), next);
                return;
            }
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await GatewayErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                "A valid API key is required: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.", "invalid_api_key");
        });
        return app;
    }

    private static ReadOnlySpan<char> PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization.AsSpan(7).Trim();
        }
        return request.Headers["X-Api-Key"].ToString().AsSpan().Trim();
    }
}
