using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Neutrino.AppHost.Hosting;

/// <summary>
/// Runs the declared resources: each starts once everything it waits for is healthy; all of them
/// stop in reverse order on Ctrl+C or SIGTERM, or when one fails to start.
/// </summary>
public sealed class DistributedApplication
{
    private readonly HostContext _host;
    private readonly IReadOnlyList<IResource> _resources;
    private readonly List<ManagedResource> _started = [];
    private readonly Lock _startedLock = new();

    internal DistributedApplication(HostContext host, IReadOnlyList<IResource> resources)
    {
        _host = host;
        _resources = resources;
    }

    public static DistributedApplicationBuilder CreateBuilder(string[] args) => new(args);

    /// <summary>Runs until Ctrl+C or SIGTERM. The exit code is 1 when a resource could not start.</summary>
    public async Task RunAsync() => Environment.ExitCode = await RunToExitCodeAsync();

    private async Task<int> RunToExitCodeAsync()
    {
        using var shutdown = new CancellationTokenSource();
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        try
        {
            await StartAsync(shutdown.Token);
            await WriteEndpointsAsync();
            PrintSummary();
            await Task.Delay(Timeout.Infinite, shutdown.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            _host.Console.WriteLine("apphost", "stopping");
            await StopAsync();
            _host.Console.WriteLine("apphost", "stopped");
            return 0;
        }
        catch (ResourceStartException ex)
        {
            _host.Console.WriteLine("apphost", $"FAILED: {ex.Message}");
            await StopAsync();
            return 1;
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            _host.Console.WriteLine("apphost", "interrupted while starting; stopping");
            await StopAsync();
            return 130;
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // the AppHost decides when to exit: after its children
            shutdown.Cancel();
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await StaleProcesses.StopAllAsync(_host);
        var managed = _resources.OfType<ManagedResource>().ToList();
        foreach (var resource in managed)
        {
            await resource.PrepareAsync(_host, cancellationToken);
        }

        var starts = new Dictionary<ManagedResource, Task>();
        Task Start(ManagedResource resource)
        {
            if (!starts.TryGetValue(resource, out var task))
            {
                task = StartAfterDependenciesAsync(resource, resource.WaitsFor.Select(Start).ToList(), cancellationToken);
                starts[resource] = task;
            }
            return task;
        }
        foreach (var resource in managed)
        {
            _ = Start(resource);
        }
        await Task.WhenAll(starts.Values);
    }

    /// <summary>Stops every started resource, the last started first.</summary>
    public async Task StopAsync()
    {
        File.Delete(EndpointsFile);
        List<ManagedResource> started;
        lock (_startedLock)
        {
            started = [.. _started];
            _started.Clear();
        }
        for (var i = started.Count - 1; i >= 0; i--)
        {
            await started[i].StopAsync(_host);
        }
    }

    private async Task StartAfterDependenciesAsync(ManagedResource resource, List<Task> dependencies, CancellationToken cancellationToken)
    {
        await Task.WhenAll(dependencies);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_startedLock)
        {
            _started.Add(resource);
        }
        _host.Console.WriteLine("apphost", $"starting {resource.Name}");
        await resource.StartAsync(_host, cancellationToken);
        _host.Console.WriteLine("apphost", $"{resource.Name} is healthy");
    }

    /// <summary>Where each resource answers, for tools and tests: written once all are healthy, removed at stop. Holds secrets: owner-only.</summary>
    public string EndpointsFile => Path.Combine(_host.RunDirectory, "endpoints.json");

    private async Task WriteEndpointsAsync()
    {
        var document = new JsonObject();
        foreach (var resource in _resources)
        {
            var entry = new JsonObject();
            if (resource is IResourceWithConnectionString withConnection)
            {
                entry["connection_string"] = withConnection.ConnectionString;
            }
            if (resource is IResourceWithEndpoints withEndpoints)
            {
                entry["urls"] = new JsonArray([.. withEndpoints.HttpUrls.Select(url => JsonValue.Create(url))]);
            }
            if (resource is ParameterResource parameter)
            {
                entry["value"] = parameter.Value;
            }
            document[resource.Name] = entry;
        }
        var temporary = EndpointsFile + ".tmp";
        await File.WriteAllTextAsync(temporary, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, EndpointsFile, overwrite: true);
    }

    private void PrintSummary()
    {
        var lines = new List<string> { "", "Neutrino is up." };
        foreach (var resource in _resources)
        {
            switch (resource)
            {
                case ManagedResource managed when managed.Describe().Any():
                    lines.Add($"  {resource.Name,-11} {string.Join("  ", managed.Describe())}");
                    break;
                case ParameterResource { Name: "api-key" } key:
                    lines.Add($"  {"API key",-11} {key.Value}");
                    break;
            }
        }
        lines.Add($"  {"data",-11} {_host.DataDirectory}");
        lines.Add($"  {"logs",-11} {_host.LogDirectory}");
        lines.Add("Press Ctrl+C to stop.");
        foreach (var line in lines)
        {
            _host.Console.WriteLine(line);
        }
    }
}
