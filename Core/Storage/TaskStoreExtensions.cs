using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Neutrino.Core.Storage;

public static class TaskStoreExtensions
{
    /// <summary>
    /// The task history: grouped state writes and queries over <c>ConnectionStrings:neutrino</c>,
    /// through Aspire's PostgreSQL client integrations (health check, traces, metrics, EF retries).
    /// Readiness waits for the schema, which the migrations step applies.
    /// </summary>
    public static IHostApplicationBuilder AddTaskStore(this IHostApplicationBuilder builder)
    {
        builder.AddTaskStoreConnection();
        var services = builder.Services;
        services.AddSingleton<TaskWriteQueue>();
        services.AddSingleton(sp => new TaskStore(sp.GetRequiredService<TaskWriteQueue>()));
        services.AddHostedService<TaskWriteFlusher>();
        services.AddSingleton<TaskQueries>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<TaskRetentionStore>();
        services.AddHealthChecks().AddCheck<TaskStoreReadiness>("task-store-schema");
        return builder;
    }

    /// <summary>The migrations step's share of the store: the connection and <see cref="TaskStoreMigrator"/>.</summary>
    public static IHostApplicationBuilder AddTaskStoreMigrator(this IHostApplicationBuilder builder)
    {
        builder.AddTaskStoreConnection();
        builder.Services.AddSingleton<TaskStoreMigrator>();
        return builder;
    }

    private static void AddTaskStoreConnection(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddNpgsqlDataSource(TaskStoreSchema.ConnectionName, configureDataSourceBuilder: dataSource =>
        {
            // The state writes are a handful of statements run thousands of times a second: prepared once
            // per connection, PostgreSQL stops parsing and planning their CTEs on every run.
            dataSource.ConnectionStringBuilder.MaxAutoPrepare = 32;
            dataSource.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            dataSource.ConfigureTracing(tracing => tracing
                // A statement belongs in a trace when it runs for something that is traced: a request, a task.
                // Background rounds (liveness, sweeps, grouped writes, which trace each write themselves) would
                // each be a trace of their own, one every few seconds per process.
                .ConfigureCommandFilter(_ => Activity.Current is not null)
                .ConfigureBatchFilter(_ => Activity.Current is not null));
        });
        builder.Services.AddDbContextFactory<TaskDbContext>((sp, options) => options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        // Aspire's PostgreSQL check above covers the connection; EF's own check would build the EF model at
        // every service's first readiness probe, when the services that only write never need it. No EF
        // retries: a read the database cannot answer is a 503 with Retry-After at once, not a request held
        // for half a minute of retries (the state writes retry on their own, where retrying is right).
        builder.EnrichNpgsqlDbContext<TaskDbContext>(settings =>
        {
            settings.DisableHealthChecks = true;
            settings.DisableRetry = true;
        });
    }
}
