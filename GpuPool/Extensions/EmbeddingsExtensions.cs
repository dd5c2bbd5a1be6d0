using Microsoft.Extensions.AI;
using Neutrino.Core.Http;
using Neutrino.Core.Workers;
using Neutrino.Embeddings;
using Neutrino.GpuPool.Apis;
using Neutrino.GpuPool.Collections;

namespace Neutrino.GpuPool.Extensions;

internal static class EmbeddingsExtensions
{
    /// <summary>The embedding engine, as itself and as Microsoft.Extensions.AI's embedding generator, with its metrics.</summary>
    public static IHostApplicationBuilder AddEmbeddings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmbeddingOptions>().BindConfiguration(EmbeddingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<EmbeddingsApiOptions>().BindConfiguration(EmbeddingsApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<EmbeddingEngine>();
        builder.Services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<EmbeddingEngine>());
        builder.Services.AddNeutrinoJson();
        builder.Services.AddOptions<CollectionOptions>().BindConfiguration(CollectionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<CollectionStore>();
        builder.Services.AddSingleton<CollectionSearch>();
        builder.Services.AddSingleton<IWorkerReport, EmbeddingsReport>();
        builder.Services.AddSingleton<ModelHousekeeping>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelHousekeeping>());
        builder.Services.AddHealthChecks().AddCheck<ModelHousekeeping>("models", tags: ["ready"]);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(EmbeddingEngine.MeterName));
        return builder;
    }
}
