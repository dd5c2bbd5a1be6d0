namespace Neutrino.AppHost.Hosting;

/// <summary>A resource the AppHost starts, waits for and stops.</summary>
public abstract class ManagedResource(string name) : IResource
{
    public string Name { get; } = name;

    /// <summary>Resources that must be healthy before this one starts.</summary>
    internal List<ManagedResource> WaitsFor { get; } = [];

    /// <summary>Environment given to this resource's processes, resolved when it starts.</summary>
    internal List<Func<IEnumerable<KeyValuePair<string, string>>>> Environment { get; } = [];

    internal Dictionary<string, string> ResolveEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Environment.SelectMany(source => source()))
        {
            environment[key] = value;
        }
        return environment;
    }

    /// <summary>Before anything starts: provision binaries and choose ports, so every connection string is known.</summary>
    internal virtual Task PrepareAsync(HostContext host, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Starts the resource and returns once it is healthy; throws <see cref="ResourceStartException"/> otherwise.</summary>
    internal abstract Task StartAsync(HostContext host, CancellationToken cancellationToken);

    internal abstract Task StopAsync(HostContext host);

    /// <summary>Lines printed once everything is up, e.g. the resource's URL.</summary>
    internal virtual IEnumerable<string> Describe() => [];
}
