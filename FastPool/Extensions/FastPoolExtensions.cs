using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Neutrino.Core.Http;

namespace Neutrino.FastPool.Extensions;

internal static class FastPoolExtensions
{
    public const string HandlerLimiter = "sync-handlers";

    public static IHostApplicationBuilder AddFastPoolServices(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(FastPoolOptions.Section).Get<FastPoolOptions>() ?? new FastPoolOptions();
        builder.Services.AddOptions<FastPoolOptions>().BindConfiguration(FastPoolOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SyncHistory>();
        builder.Services.AddNeutrinoJson();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddConcurrencyLimiter(HandlerLimiter, concurrency =>
            {
                concurrency.PermitLimit = options.Concurrency;
                concurrency.QueueLimit = options.QueueLimit;
                concurrency.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            limiter.OnRejected = (context, _) =>
            {
                // Overload, not a quota: 503 tells a balancer to try another replica.
                context.HttpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return ValueTask.CompletedTask;
            };
        });
        return builder;
    }
}
