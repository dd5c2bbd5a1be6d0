using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Neutrino.Core.Tasks;

namespace Neutrino.Gateway.Catalog;

/// <summary>The routable tasks, as the pools last published them. Ready once the first full read of the bucket is in.</summary>
internal sealed class TaskCatalog : IHealthCheck
{
    private readonly ConcurrentDictionary<string, TaskDefinition> _tasks = new(StringComparer.Ordinal);
    private volatile bool _loaded;

    public TaskDefinition? Find(string name) => _tasks.GetValueOrDefault(name);

    public IReadOnlyList<TaskDefinition> All => [.. _tasks.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];

    public void Set(TaskDefinition definition) => _tasks[definition.Name] = definition;

    public void Remove(string name) => _tasks.TryRemove(name, out _);

    public void MarkLoaded() => _loaded = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_loaded
            ? HealthCheckResult.Healthy($"{_tasks.Count} tasks routable")
            : HealthCheckResult.Unhealthy("The task catalog has not been read yet."));
}
