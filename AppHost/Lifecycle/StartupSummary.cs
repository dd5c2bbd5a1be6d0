using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Neutrino.AppHost.Hosting;

namespace Neutrino.AppHost.Lifecycle;

/// <summary>
/// Once every resource is healthy (and every one that runs once has finished), says so on the
/// console with where everything is, the API key and the Aspire dashboard's login URL, and writes
/// the same to <c>{data}/run/endpoints.json</c> (owner-only: it holds secrets) for tools such as the
/// benchmark. If a resource fails instead, it says which; the Aspire dashboard has its logs.
/// </summary>
internal sealed class StartupSummary(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    NeutrinoHost host,
    IConfiguration configuration,
    IHostApplicationLifetime lifetime,
    ILogger<StartupSummary> logger) : ApplicationWatcher(logger)
{
    /// <summary>The parameter Program.cs names the API key.</summary>
    public const string ApiKeyParameter = "api-key";
    public const string InternalSecretParameter = "internal-secret";

    public string EndpointsFile => Path.Combine(host.DataDirectory, "run", "endpoints.json");

    protected override async Task WatchAsync(CancellationToken stoppingToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(EndpointsFile)!);
        File.Delete(EndpointsFile);
        // Aspire's own dashboard is up when the AppHost says so itself, and resources that start only when
        // asked (Aspire's hidden project rebuilders) are not waited for.
        var resources = model.Resources.Where(r => r is ExecutableResource or ProjectResource
            && r.Name != AspireDashboardExtensions.DashboardResource && !r.HasAnnotationOfType<ExplicitStartupAnnotation>()).ToList();
        using var starting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var progress = ReportProgressAsync(starting.Token);
        try
        {
            await Task.WhenAll(resources.Select(resource => resource.HasAnnotationOfType<RunsOnceAnnotation>()
                ? WaitForSuccessAsync(resource, stoppingToken)
                : notifications.WaitForResourceHealthyAsync(resource.Name, stoppingToken)));
        }
        catch (DistributedApplicationException ex)
        {
            Console.WriteLine($"{Environment.NewLine}Neutrino did not come up: {ex.Message} Its console log is in the Aspire dashboard.");
            return;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            await starting.CancelAsync();
            await progress;
        }

        var endpoints = new JsonObject();
        var lines = new List<string> { "", "Neutrino is up." };
        foreach (var parameter in model.Resources.OfType<ParameterResource>().Where(p => p.Name is ApiKeyParameter or InternalSecretParameter))
        {
            var value = await parameter.GetValueAsync(stoppingToken);
            // Both in the owner-only endpoints file (the bench calls the pools directly with the secret).
            endpoints[parameter.Name] = new JsonObject { ["value"] = value };
            if (parameter.Name == ApiKeyParameter)
            {
                lines.Add($"  {"API key",-17} {value}");
            }
        }
        foreach (var resource in model.Resources)
        {
            var entry = new JsonObject();
            if (resource is IResourceWithConnectionString withConnectionString)
            {
                entry["connection_string"] = await withConnectionString.GetConnectionStringAsync(stoppingToken);
            }
            if (resource is ProjectResource project && project.GetEndpoints().FirstOrDefault(e => e.EndpointName == "http") is { } http)
            {
                entry["urls"] = new JsonArray(http.Url);
                lines.Add($"  {resource.Name,-17} {http.Url}");
            }
            if (entry.Count > 0)
            {
                endpoints[resource.Name] = entry;
            }
        }
        if (AspireDashboardExtensions.LoginUrl(model, configuration) is { } login)
        {
            lines.Add($"  {"Aspire dashboard",-17} {login}");
        }
        lines.Add($"  {"data",-17} {host.DataDirectory}");
        lines.Add("Press Ctrl+C to stop.");

        await SecretFile.WriteAsync(EndpointsFile, endpoints.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), stoppingToken);
        lifetime.ApplicationStopping.Register(() => File.Delete(EndpointsFile));
        Console.WriteLine(string.Join(Environment.NewLine, lines));
    }

    /// <summary>Until everything is up: one line per resource instance whenever its state changes, so a first start (it builds and provisions) is never silent.</summary>
    private async Task ReportProgressAsync(CancellationToken cancellationToken)
    {
        var shown = new Dictionary<string, string>();
        var started = Environment.TickCount64;
        try
        {
            await foreach (var update in notifications.WatchAsync(cancellationToken))
            {
                var state = update.Snapshot.State?.Text;
                if (update.Resource is ParameterResource || string.IsNullOrEmpty(state) || update.Snapshot.IsHidden)
                {
                    continue;
                }
                var health = update.Snapshot.HealthStatus is { } status && state == KnownResourceStates.Running ? $" ({status.ToString().ToLowerInvariant()})" : "";
                var line = state + health;
                if (!shown.TryGetValue(update.ResourceId, out var last) || last != line)
                {
                    shown[update.ResourceId] = line;
                    var seconds = (Environment.TickCount64 - started) / 1000.0;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {seconds,5:0.0} s  {update.ResourceId,-26} {line}"));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task WaitForSuccessAsync(IResource resource, CancellationToken cancellationToken)
    {
        var finished = await notifications.WaitForResourceAsync(resource.Name, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), cancellationToken);
        if (finished.Snapshot.ExitCode is not 0)
        {
            throw new DistributedApplicationException($"{resource.Name} ended with exit code {finished.Snapshot.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}.");
        }
    }
}
