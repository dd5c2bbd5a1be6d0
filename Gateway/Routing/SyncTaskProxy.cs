using Neutrino.Core.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Neutrino.Gateway.Routing;

/// <summary>
/// <c>POST /api/{task}</c> is a YARP route to the fast pool. Its first pipeline step
/// (<see cref="TaskAdmission"/>) classifies the task: sync tasks go on to load balancing and
/// forwarding; queued tasks are answered there and never reach the proxy.
/// </summary>
internal static class SyncTaskProxy
{
    public const string RouteId = "tasks";
    public const string ClusterId = "fastpool";

    public static IHostApplicationBuilder AddSyncTaskProxy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy().LoadFromMemory([Route()], [Cluster(new Dictionary<string, DestinationConfig>())]);
        builder.Services.AddHostedService<FastPoolDestinations>();
        return builder;
    }

    public static WebApplication MapSyncTaskProxy(this WebApplication app)
    {
        var admission = app.Services.GetRequiredService<TaskAdmission>();
        app.MapReverseProxy(pipeline =>
        {
            pipeline.Use(admission.InvokeAsync);
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
            pipeline.Use(ProblemOnForwardingErrorAsync);
        });
        return app;
    }

    public static RouteConfig Route() => new()
    {
        RouteId = RouteId,
        ClusterId = ClusterId,
        Match = new RouteMatch { Path = "/api/{task}", Methods = ["POST"] },
    };

    public static ClusterConfig Cluster(IReadOnlyDictionary<string, DestinationConfig> destinations) => new()
    {
        ClusterId = ClusterId,
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
        // The fast pool enforces each task's own timeout; this only bounds a replica that stops answering.
        HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(60), Version = System.Net.HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact },
    };

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
        await TaskProblems.Problem(status, "Fast pool unavailable", $"The sync task could not be run: {error.Error}.").ExecuteAsync(context);
    }
}
