using Microsoft.Extensions.Options;
using Neutrino.Core.Http;
using Neutrino.Core.Messaging;
using Neutrino.Gateway.Auth;
using Neutrino.Gateway.Extensions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Neutrino.Gateway.Routing;

/// <summary>
/// The gateway's YARP routes. <c>POST /api/{task}</c> goes to the fast pool; its first pipeline
/// step (<see cref="TaskAdmission"/>) classifies the task: sync tasks go on to load balancing and
/// forwarding, queued tasks are answered there and never reach the proxy. <c>/v1/*</c> (the
/// OpenAI-compatible embeddings API) goes to the gpu pool, with its own body limit.
/// </summary>
internal static class PoolProxy
{
    public const string TasksRoute = "tasks";
    public const string EmbeddingsRoute = "embeddings";
    public const string FastPoolCluster = "fastpool";
    public const string GpuPoolCluster = "gpupool";

    public static IHostApplicationBuilder AddPoolProxy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy().LoadFromMemory(Routes(), [
            Cluster(FastPoolCluster, new Dictionary<string, DestinationConfig>()),
            Cluster(GpuPoolCluster, new Dictionary<string, DestinationConfig>())]);
        builder.Services.AddHostedService<PoolDestinations>();
        return builder;
    }

    public static WebApplication MapPoolProxy(this WebApplication app)
    {
        var admission = app.Services.GetRequiredService<TaskAdmission>();
        var options = app.Services.GetRequiredService<IOptions<GatewayOptions>>();
        var proof = GatewayProof.Secret(app.Configuration);
        app.MapReverseProxy(pipeline =>
        {
            pipeline.Use((context, next) =>
            {
                // The pools answer only the gateway, and scope what they keep by caller: only the
                // gateway, with its proof, says who that is (whatever a client sent is overwritten).
                context.Request.Headers[GatewayProof.Header] = proof;
                context.Request.Headers[TaskHeaders.Tenant] = context.Caller().Tenant;
                context.Request.Headers[TaskHeaders.KeyName] = context.Caller().Name;
                return context.GetReverseProxyFeature().Route.Config.RouteId == TasksRoute
                    ? admission.InvokeAsync(context, next)
                    : LimitEmbeddingsBodyAsync(context, next, options.Value.MaxEmbeddingsBodyBytes);
            });
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
            pipeline.Use(ProblemOnForwardingErrorAsync);
        });
        return app;
    }

    public static IReadOnlyList<RouteConfig> Routes() =>
    [
        new() { RouteId = TasksRoute, ClusterId = FastPoolCluster, Match = new RouteMatch { Path = "/api/{task}", Methods = ["POST"] } },
        new() { RouteId = EmbeddingsRoute, ClusterId = GpuPoolCluster, Match = new RouteMatch { Path = "/v1/{**rest}" } },
    ];

    public static ClusterConfig Cluster(string id, IReadOnlyDictionary<string, DestinationConfig> destinations) => new()
    {
        ClusterId = id,
        LoadBalancingPolicy = "PowerOfTwoChoices",
        Destinations = destinations,
        HealthCheck = new HealthCheckConfig
        {
            Active = new ActiveHealthCheckConfig
            {
                Enabled = true,
                Interval = TimeSpan.FromSeconds(5),
                Timeout = TimeSpan.FromSeconds(2),
                Policy = "ConsecutiveFailures",
                Path = "/alive",
            },
            Passive = new PassiveHealthCheckConfig
            {
                Enabled = true,
                Policy = "TransportFailureRate",
                ReactivationPeriod = TimeSpan.FromSeconds(10),
            },
        },
        // The pools enforce their own time limits; this only bounds a replica that stops answering.
        HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(60), Version = System.Net.HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact },
    };

    /// <summary>Embedding requests carry many inputs: a larger limit than tasks, refused in OpenAI's error shape.</summary>
    private static async Task LimitEmbeddingsBodyAsync(HttpContext context, Func<Task> next, long limit)
    {
        if (context.Request.ContentLength > limit)
        {
            await GatewayErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Request too large", $"The request body is larger than {limit} bytes.", "request_too_large");
            return;
        }
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }
        await next();
    }

    private static async Task ProblemOnForwardingErrorAsync(HttpContext context, Func<Task> next)
    {
        await next();
        var error = context.GetForwarderErrorFeature();
        if (error is null || context.Response.HasStarted)
        {
            return;
        }
        var status = error.Error switch
        {
            ForwarderError.RequestTimedOut => StatusCodes.Status504GatewayTimeout,
            ForwarderError.RequestCanceled => 499,
            _ => StatusCodes.Status503ServiceUnavailable,
        };
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "1";
        }
        var pool = context.GetReverseProxyFeature().Route.Config.ClusterId == GpuPoolCluster ? "gpu pool" : "fast pool";
        await GatewayErrors.WriteAsync(context, status, $"The {pool} is unavailable", $"The request could not be forwarded to the {pool}: {error.Error}.", "unavailable");
    }
}
