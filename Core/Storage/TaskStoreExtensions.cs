using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Neutrino.Core.Storage;

public static class TaskStoreExtensions
{
    /// <summary>
    /// The task history: migrations at start-up, grouped state writes, and queries. Needs an
    /// <see cref="NpgsqlDataSource"/> (ServiceDefaults' <c>AddNpgsqlDataSource</c>).
    /// </summary>
    public static IHostApplicationBuilder AddTaskStore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddDbContextFactory<TaskDbContext>((sp, options) => options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton<TaskStoreReadiness>();
        services.AddHostedService<TaskStoreMigrator>();
        services.AddSingleton<TaskWriteQueue>();
        services.AddSingleton(sp => new TaskStore(sp.GetRequiredService<TaskWriteQueue>()));
        services.AddHostedService<TaskWriteFlusher>();
        services.AddSingleton<TaskQueries>();
        services.AddSingleton<IdempotencyStore>();
        services.AddHealthChecks().AddCheck<TaskStoreReadiness>("task-store", tags: ["ready"]);
        return builder;
    }
}
