using Neutrino.Core.Http;
using Neutrino.Core.Messaging;
using Neutrino.Core.Storage;
using Neutrino.Gateway.Admission;
using Neutrino.Gateway.Apis;
using Neutrino.Gateway.Auth;
using Neutrino.Gateway.Catalog;
using Neutrino.Gateway.Idempotency;
using Neutrino.Gateway.Routing;
using Neutrino.Gateway.Submission;

namespace Neutrino.Gateway.Extensions;

internal static class GatewayExtensions
{
    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddNeutrinoJson();
        services.AddExceptionHandler<DependencyUnavailableHandler>();

        builder.AddApiKeys();
        services.AddSingleton<AdmissionControl>();

        services.AddSingleton<TaskCatalog>();
        services.AddOpenApi("v1", options =>
        {
            options.OpenApiVersion = Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_1;
            options.AddDocumentTransformer<CatalogOpenApi>();
        });
        services.AddJetStreamOptions();
        services.AddHostedService<CatalogWatcher>();
        services.AddHealthChecks().AddCheck<TaskCatalog>("catalog", tags: ["ready"]);

        services.AddHostedService<TaskQueriesWarmup>();
        services.AddSingleton<QueuedTaskSubmitter>();
        services.AddHostedService<QueueReconciler>();
        services.AddSingleton<QueueMetrics>();
        services.AddHostedService(provider => provider.GetRequiredService<QueueMetrics>());
        services.AddSingleton<IdempotentReplay>();
        services.AddHostedService<IdempotencyJanitor>();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<TaskRetention>();
        services.AddSingleton<TaskAdmission>();
        services.AddSingleton<BatchSubmission>();
        builder.AddPoolProxy();
        return builder;
    }
}
