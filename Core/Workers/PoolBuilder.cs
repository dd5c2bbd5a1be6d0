using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Neutrino.Core.Tasks;

namespace Neutrino.Core.Workers;

/// <summary>Declares the tasks of a pool: one line per task.</summary>
public sealed class PoolBuilder
{
    private readonly List<TaskRegistration> _registrations = [];

    internal PoolBuilder(IHostApplicationBuilder builder, string pool)
    {
        Builder = builder;
        Pool = pool;
        builder.Services.AddSingleton(sp => new TaskRegistry(pool, _registrations));
    }

    public IHostApplicationBuilder Builder { get; }

    public string Pool { get; }

    /// <summary>Registers <typeparamref name="THandler"/> as task <paramref name="name"/>.</summary>
    public PoolBuilder AddTask<THandler>(string name, TaskMode mode, TimeSpan timeout, int attempts = 1, RetryPolicy? retry = null)
        where THandler : class, ITaskHandler
    {
        var definition = new TaskDefinition(name, mode, timeout, attempts, retry);
        if (definition.Pool != Pool)
        {
            throw new InvalidOperationException($"Task '{name}' is {WireNames.Of(mode)}: it belongs in pool '{definition.Pool}', not '{Pool}'.");
        }
        if (_registrations.Any(r => r.Definition.Name == name))
        {
            throw new InvalidOperationException($"Task '{name}' is registered twice in pool '{Pool}'.");
        }
        _registrations.Add(new TaskRegistration(definition, typeof(THandler)));
        Builder.Services.AddScoped<THandler>();
        return this;
    }

    /// <summary>Runs this pool's queued tasks from JetStream (the async and gpu pools).</summary>
    public PoolBuilder AddQueuedWorker()
    {
        Builder.Services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        Builder.Services.AddHostedService<CancelListener>();
        // Stopped in reverse order: the worker drains first, then the liveness row goes.
        Builder.Services.AddHostedService<WorkerLiveness>();
        Builder.Services.AddHostedService<QueuedTaskWorker>();
        return this;
    }
}
