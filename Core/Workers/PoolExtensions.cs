using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Neutrino.Core.Messaging;

namespace Neutrino.Core.Workers;

public static class PoolExtensions
{
    /// <summary>
    /// Makes this process a worker of <paramref name="pool"/>: its tasks are published to the
    /// catalog at start-up. Needs NATS (ServiceDefaults' <c>AddNatsClient</c>) and the task store.
    /// </summary>
    public static PoolBuilder AddNeutrinoPool(this IHostApplicationBuilder builder, string pool)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WorkerIdentity>();
        builder.Services.AddSingleton<RunningTasks>();
        builder.Services.AddSingleton<CatalogReadiness>();
        builder.Services.AddJetStreamOptions();
        builder.Services.AddHostedService<CatalogPublisher>();
        builder.Services.AddHealthChecks().AddCheck<CatalogReadiness>("catalog", tags: ["ready"]);
        return new PoolBuilder(builder, pool);
    }
}
