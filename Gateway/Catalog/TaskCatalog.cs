using System.Text.Json;
using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Neutrino.Core.Tasks;

namespace Neutrino.Gateway.Catalog;

/// <summary>The routable tasks, as the pools last published them. Ready once the first full read of the bucket is in.</summary>
internal sealed class TaskCatalog : IHealthCheck
{
    private readonly ConcurrentDictionary<string, TaskDefinition> _tasks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonElement> _argsSchemas = new(StringComparer.Ordinal);
    private volatile bool _loaded;

    public TaskDefinition? Find(string name) => _tasks.GetValueOrDefault(name);

    public IReadOnlyList<TaskDefinition> All => [.. _tasks.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>The JSON Schema of a task's args, when its pool published one.</summary>
    public JsonElement? ArgsSchema(string name) => _argsSchemas.TryGetValue(name, out var schema) ? schema : null;

    public void Set(TaskDefinition definition, JsonElement? argsSchema = null)
    {
        if (argsSchema is { } schema)
        {
            _argsSchemas[definition.Name] = schema;
        }
        else
        {
            _argsSchemas.TryRemove(definition.Name, out _);
        }
        _tasks[definition.Name] = definition;
    }

    public void Remove(string name)
    {
        _tasks.TryRemove(name, out _);
        _argsSchemas.TryRemove(name, out _);
    }

    public void MarkLoaded() => _loaded = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_loaded
            ? HealthCheckResult.Healthy($"{_tasks.Count} tasks routable")
            : HealthCheckResult.Unhealthy("The task catalog has not been read yet."));
}
