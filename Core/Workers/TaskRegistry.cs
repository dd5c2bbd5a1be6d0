using System.Collections.Frozen;

namespace Neutrino.Core.Workers;

/// <summary>The tasks registered in this pool process.</summary>
public sealed class TaskRegistry(string pool, IEnumerable<TaskRegistration> registrations)
{
    private readonly FrozenDictionary<string, TaskRegistration> _byName =
        registrations.ToFrozenDictionary(r => r.Definition.Name, StringComparer.Ordinal);

    public string Pool { get; } = pool;

    public IEnumerable<TaskRegistration> All => _byName.Values;

    public int Count => _byName.Count;

    public TaskRegistration? Find(string name) => _byName.GetValueOrDefault(name);
}
