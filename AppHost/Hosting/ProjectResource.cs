using System.Globalization;

namespace Neutrino.AppHost.Hosting;

/// <summary>One of the solution's services, run from its build output, one process per replica.</summary>
public sealed class ProjectResource(string name, IProjectMetadata project) : ManagedResource(name), IResourceWithEndpoints
{
    private readonly List<int> _ports = [];
    private readonly List<SupervisedProcess> _processes = [];
    private ResourceLog? _log;

    public int Replicas { get; internal set; } = 1;

    /// <summary>The port asked for; 0 or null means any free port.</summary>
    public int? RequestedPort { get; internal set; }

    public IReadOnlyList<string> HttpUrls => [.. _ports.Select(port => $"http://127.0.0.1:{port}")];

    internal override Task PrepareAsync(HostContext host, CancellationToken cancellationToken)
    {
        if (RequestedPort is > 0 and var port)
        {
            if (Replicas != 1)
            {
                throw new ResourceStartException(Name, "a fixed port serves one replica; drop WithHttpEndpoint(port) or WithReplicas");
            }
            if (!FreePort.IsFree(port))
            {
                throw new ResourceStartException(Name, $"port {port} is in use. Stop what holds it, or choose another port (e.g. Neutrino__{CultureInfo.InvariantCulture.TextInfo.ToTitleCase(Name)}Port=0 for any free port)");
            }
            _ports.Add(port);
        }
        else
        {
            for (var i = 0; i < Replicas; i++)
            {
                _ports.Add(FreePort.Next());
            }
        }
        return Task.CompletedTask;
    }

    internal override async Task StartAsync(HostContext host, CancellationToken cancellationToken)
    {
        var assembly = BuildInfo.OutputAssembly(project.Directory, project.AssemblyName);
        if (!File.Exists(assembly))
        {
            throw new ResourceStartException(Name, $"{assembly} does not exist: build the solution first (dotnet build)");
        }
        var log = _log = host.OpenLog(Name);
        var replicas = new SupervisedProcess?[_ports.Count];
        await Task.WhenAll(Enumerable.Range(0, _ports.Count).Select(replica => RequestedPort is > 0
            ? StartReplicaAsync(host, log, assembly, replica, replicas, cancellationToken)
            : Health.StartOnFreePortsAsync(
                () => StartReplicaAsync(host, log, assembly, replica, replicas, cancellationToken), () => _ports[replica] = FreePort.Next(), log)));
        foreach (var process in replicas)
        {
            process!.Supervise();
        }
    }

    private async Task StartReplicaAsync(
        HostContext host, ResourceLog log, string assembly, int replica, SupervisedProcess?[] replicas, CancellationToken cancellationToken)
    {
        var instance = _ports.Count == 1 ? Name : $"{Name}-{replica}";
        var url = $"http://127.0.0.1:{_ports[replica]}";
        var environment = ResolveEnvironment();
        environment["ASPNETCORE_URLS"] = url;
        environment["ASPNETCORE_ENVIRONMENT"] = host.EnvironmentName;
        environment["DOTNET_ENVIRONMENT"] = host.EnvironmentName;
        environment["OTEL_SERVICE_NAME"] = Name;
        environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instance}";
        if (host.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } otlp)
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp;
        }
        environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        environment["DOTNET_NOLOGO"] = "1";

        var process = replicas[replica] = SupervisedProcess.Start(
            new ProcessSpec(instance, "dotnet", [assembly], environment, Path.GetDirectoryName(assembly)!), log, host);
        lock (_processes)
        {
            // Tracked at once: if another replica fails to start, this one is stopped with the rest.
            _processes.Add(process);
        }
        await Health.WaitAsync(instance, process.Current, log, TimeSpan.FromSeconds(120), ct => Health.HttpOkAsync(url + "/health", ct), cancellationToken);
    }

    internal override async Task StopAsync(HostContext host)
    {
        // Longer than a service's own shutdown timeout (30 s), so draining workers are never cut short.
        await Task.WhenAll(_processes.Select(p => p.StopAsync(TimeSpan.FromSeconds(40))));
        _log?.Dispose();
    }

    internal override IEnumerable<string> Describe() => HttpUrls;
}
