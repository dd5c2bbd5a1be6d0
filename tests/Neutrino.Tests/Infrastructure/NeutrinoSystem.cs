using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Neutrino.AppHost.Hosting;

namespace Neutrino.Tests.Infrastructure;

/// <summary>
/// The whole system, as Aspire applications are tested: the real AppHost through
/// <see cref="DistributedApplicationTestingBuilder"/>, with its own data directory and ports. Everything
/// it runs is real: PostgreSQL, nats-server and every service, as processes under DCP.
/// </summary>
public sealed class NeutrinoSystem : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan InstanceTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private readonly DistributedApplication _app;
    private readonly CancellationTokenSource _stopWatching = new();
    private readonly ConcurrentDictionary<string, ResourceEvent> _instances = new();
    private readonly Task _watching;

    private NeutrinoSystem(DistributedApplication app, string dataDirectory, string apiKey)
    {
        _app = app;
        DataDirectory = dataDirectory;
        ApiKey = apiKey;
        _watching = WatchInstancesAsync(_stopWatching.Token);
    }

    public string DataDirectory { get; }

    public string ApiKey { get; }

    public Uri Gateway { get; private set; } = null!;

    public Uri Dashboard { get; private set; } = null!;

    public string TasksConnectionString { get; private set; } = "";

    public string NatsUrl { get; private set; } = "";

    /// <summary>The gateway's proof to the pools (the <c>internal-secret</c> parameter).</summary>
    public string InternalSecret { get; private set; } = "";

    /// <summary>The Aspire dashboard's login URL with this run's token, for systems started with the dashboard.</summary>
    public Uri? AspireDashboardLoginUrl { get; private set; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// One models directory for every system the tests start (and the in-process model tests): the
    /// default model is fetched and imported once per machine, not once per system.
    /// </summary>
    public static string SharedModelsDirectory { get; } = Path.Combine(Path.GetTempPath(), "neutrino-tests", "models");

    public static string NewDataDirectory()
    {
        // Under /tmp: the postgres user must be able to reach it.
        var directory = Path.Combine(Path.GetTempPath(), "neutrino-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <param name="environment">Settings for every service, e.g. <c>Neutrino__Worker__Concurrency=1</c>.</param>
    /// <param name="arguments">The AppHost's command line, e.g. <c>--Neutrino:AsyncPoolReplicas=1</c>; later ones win.</param>
    public static Task<NeutrinoSystem> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments) =>
        StartAsync(dataDirectory, environment, withAspireDashboard: false, arguments);

    public static async Task<NeutrinoSystem> StartAsync(
        string dataDirectory, IReadOnlyDictionary<string, string>? environment, bool withAspireDashboard, params string[] arguments)
    {
        var apiKey = "nk_test_" + Guid.NewGuid().ToString("N");
        string[] defaults =
        [
            $"--Neutrino:DataDir={dataDirectory}", "--Neutrino:GatewayPort=0", "--Neutrino:DashboardPort=0",
            $"--Neutrino:ModelsDir={SharedModelsDirectory}", $"--Neutrino:Auth:BootstrapKey={apiKey}",
            // Every request traced, however many test classes submit at once: tests assert each task's trace.
            // The default bound on new traces a second is the unit tests' (TraceSamplingTests).
            "--Neutrino:TraceRateLimit=0",
        ];
        if (withAspireDashboard)
        {
            defaults = [.. defaults, "--Neutrino:AspireDashboardPort=0"];
        }
        using var starting = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [.. defaults, .. arguments], (options, _) => options.DisableDashboard = !withAspireDashboard, starting.Token);
        // The services' own logs are in their resources (and the Aspire dashboard); the test output keeps the AppHost's warnings.
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            var resource = builder.CreateResourceBuilder(project);
            foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            {
                resource.WithEnvironment(key, value);
            }
        }

        var app = await builder.BuildAsync(starting.Token);
        var system = new NeutrinoSystem(app, dataDirectory, apiKey);
        try
        {
            await app.StartAsync(starting.Token);
            await system.WaitUntilUpAsync(starting.Token);
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
        return system;
    }

    /// <summary>Runs <paramref name="test"/> against a system of its own, in a data directory removed afterwards.</summary>
    public static Task RunOwnAsync(Func<NeutrinoSystem, Task> test, params string[] arguments) => RunOwnAsync(test, null, arguments);

    /// <summary>As above, with settings for every service.</summary>
    public static async Task RunOwnAsync(Func<NeutrinoSystem, Task> test, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var dataDirectory = NewDataDirectory();
        try
        {
            await using var system = await StartAsync(dataDirectory, environment, arguments);
            await test(system);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// Worker timings scaled down so that tests of crashes see redeliveries, lost workers and sweeps
    /// within seconds; the ratios between them are those of the defaults.
    /// </summary>
    public static IReadOnlyDictionary<string, string> QuickFailureDetection { get; } = new Dictionary<string, string>
    {
        ["Neutrino__Worker__AckWait"] = "00:00:05",
        ["Neutrino__Worker__HeartbeatInterval"] = "00:00:01",
        ["Neutrino__Worker__LivenessInterval"] = "00:00:01",
        ["Neutrino__Worker__LivenessLease"] = "00:00:03",
        ["Neutrino__Gateway__ReconcileInterval"] = "00:00:01",
        ["Neutrino__Gateway__ReconcileAfter"] = "00:00:03",
        ["Neutrino__Gateway__LostWorkerAfter"] = "00:00:12",
    };

    public HttpClient CreateClient(bool authenticated = true)
    {
        var client = new HttpClient { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(90) };
        if (authenticated)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        }
        return client;
    }

    /// <summary>Makes an API key with the admin API (as the bootstrap key) and gives its secret.</summary>
    public async Task<string> CreateKeyAsync(string name, string tenant, string role)
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/admin/keys", new { name, tenant, role });
        response.EnsureSuccessStatusCode();
        var created = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return created["key"]!.GetValue<string>();
    }

    /// <summary>A client of the gateway with another key.</summary>
    public HttpClient CreateClient(string apiKey)
    {
        var client = new HttpClient { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(90) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>A service's http address as the gateway reaches it (DCP's proxy, for replicas).</summary>
    public Uri ServiceUrl(string resource) => _app.GetEndpoint(resource, "http");

    /// <summary>
    /// Where one instance of a replicated service listens itself, behind DCP's proxy: the address its
    /// environment gives it (<c>ASPNETCORE_URLS</c>), so a test can talk to each replica in turn.
    /// </summary>
    public Uri InstanceUrl(string instance)
    {
        var e = _instances[instance];
        var urls = e.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value
            ?? throw new InvalidOperationException($"{instance} has no ASPNETCORE_URLS: {string.Join(", ", e.Snapshot.EnvironmentVariables.Select(v => $"{v.Name}={v.Value}"))}");
        return new Uri(urls.Split(';')[0]);
    }

    /// <summary>A client of the gateway's instance <paramref name="instance"/> itself, with the bootstrap key.</summary>
    public HttpClient CreateInstanceClient(string instance)
    {
        var client = new HttpClient { BaseAddress = InstanceUrl(instance), Timeout = TimeSpan.FromSeconds(90) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return client;
    }

    /// <summary>One of a resource's endpoints by name, e.g. a NATS server's <c>monitor</c>.</summary>
    public Uri Endpoint(string resource, string endpoint) => _app.GetEndpoint(resource, endpoint);

    /// <summary>The instances of a resource, as Aspire names them (e.g. <c>asyncpool-jdqcjanj</c>), in a stable order.</summary>
    public IReadOnlyList<string> Instances(string resource) =>
        [.. _instances.Values.Where(e => e.Resource.Name == resource).Select(e => e.ResourceId).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The process an instance runs now (a restart makes a new one), as DCP reports it: the server's for
    /// an executable, the service's own executable for a project (the AppHost runs no <c>dotnet run</c> in between).
    /// </summary>
    public int ProcessId(string instance) =>
        _instances.TryGetValue(instance, out var current) && PidOf(current) is { } pid
            ? pid
            : throw new InvalidOperationException($"{instance} has no process now.");

    /// <summary>As <see cref="ProcessId"/>, waiting (bounded) while the instance is being started again.</summary>
    public async Task<int> ProcessIdAsync(string instance)
    {
        var deadline = DateTime.UtcNow + InstanceTimeout;
        while (true)
        {
            try
            {
                return ProcessId(instance);
            }
            catch (InvalidOperationException ex)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"{ex.Message} Resources: {DescribeResources()}", ex);
                }
                await Task.Delay(PollInterval);
            }
        }
    }

    /// <summary>
    /// Waits (bounded) until at least <paramref name="instances"/> instances of <paramref name="resource"/>
    /// are known and every one runs, is healthy to Aspire, and answers 200 on its own <c>/health</c>, as
    /// after a start, or a crash and restart. Aspire's health of a resource with replicas is one probe
    /// through DCP's proxy, which reaches one replica at a time: it alone does not say that each is ready.
    /// </summary>
    public async Task WaitForHealthyInstancesAsync(string resource, int instances = 1)
    {
        var deadline = DateTime.UtcNow + InstanceTimeout;
        // Replicas are reported one by one: until all of them are, "every known one is healthy" says nothing of the rest.
        while (Instances(resource).Count < instances || !await AllReadyAsync(Instances(resource)))
        {
            if (DateTime.UtcNow > deadline)
            {
                var each = await Task.WhenAll(Instances(resource).Select(async instance =>
                    $"--- {instance}: its own /health {await OwnHealthAsync(instance)}; last lines:\n{await LogTailAsync(instance)}"));
                Assert.Fail($"{resource} was not healthy again within {InstanceTimeout}: {DescribeResources()}\n{string.Join("\n", each)}");
            }
            await Task.Delay(PollInterval);
        }
    }

    private async Task<bool> AllReadyAsync(IReadOnlyList<string> instances)
    {
        foreach (var instance in instances)
        {
            if (!_instances.TryGetValue(instance, out var e) || e.Snapshot.State?.Text != KnownResourceStates.Running
                || e.Snapshot.HealthStatus != Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                || e.Resource is ProjectResource && await OwnHealthAsync(instance) != "200")
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// What the instance's own <c>/health</c> answers, at the address the AppHost gave its process
    /// (<c>ASPNETCORE_URLS</c>), past any proxy: "200", another status, or why there was no answer.
    /// </summary>
    public async Task<string> OwnHealthAsync(string instance)
    {
        int pid;
        string? urls;
        try
        {
            pid = ProcessId(instance);
            urls = File.ReadAllText($"/proc/{pid}/environ").Split('\0')
                .FirstOrDefault(v => v.StartsWith("ASPNETCORE_URLS=", StringComparison.Ordinal))?["ASPNETCORE_URLS=".Length..];
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return $"not asked ({ex.Message})";
        }
        if (urls?.Split(';')[0] is not { Length: > 0 } url)
        {
            return "not asked (no ASPNETCORE_URLS)";
        }
        using var probe = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var answer = await probe.GetAsync("/health");
            return ((int)answer.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return $"no answer ({ex.Message})";
        }
    }

    /// <summary>The last <paramref name="lines"/> lines an instance wrote to its console, as the Aspire dashboard shows them: what a failure message needs.</summary>
    public async Task<string> LogTailAsync(string instance, int lines = 40)
    {
        var tail = new Queue<string>();
        // The backlog comes first, in batches; the watch then waits for new lines, so it is cut short.
        using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var batch in _app.Services.GetRequiredService<ResourceLoggerService>().WatchAsync(instance).WithCancellation(enough.Token))
            {
                foreach (var line in batch)
                {
                    tail.Enqueue(line.Content);
                    if (tail.Count > lines)
                    {
                        tail.Dequeue();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (enough.IsCancellationRequested)
        {
        }
        return string.Join("\n", tail);
    }

    /// <summary>Every process the system's servers and services run now, with their children (PostgreSQL's backends).</summary>
    public IReadOnlyList<int> ProcessIds() =>
        [.. _instances.Values.Where(e => e.Resource is ExecutableResource or ProjectResource && e.Snapshot.State?.Text == KnownResourceStates.Running)
            .Select(PidOf).OfType<int>().SelectMany(pid => ChildrenOf(pid).Prepend(pid))];

    /// <summary>The running services, one per instance of each project resource.</summary>
    public int RunningServices => _instances.Values.Count(e => e.Resource is ProjectResource && e.Snapshot.State?.Text == KnownResourceStates.Running);

    private static List<int> ChildrenOf(int parent) =>
        Directory.EnumerateDirectories("/proc")
            .Select(directory => int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == parent)
            .ToList();

    private static int? ParentOf(int pid)
    {
        try
        {
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null; // it exited meanwhile
        }
    }

    /// <summary>Runs one of Aspire's resource commands (<c>stop</c>, <c>start</c>, <c>restart</c>), as from the Aspire dashboard.</summary>
    public async Task CommandAsync(string resource, string command)
    {
        var commands = _app.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(Model.Resources.Single(r => r.Name == resource), command);
        Assert.True(result.Success, $"{command} {resource}: {result.Message}");
    }

    public async Task WaitUntilHealthyAsync(string resource, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, deadline.Token);
    }

    /// <summary>Ctrl+C's twin: the AppHost stops every resource, then itself.</summary>
    public async Task StopAsync()
    {
        using var deadline = new CancellationTokenSource(StopTimeout);
        await _app.StopAsync(deadline.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            await _stopWatching.CancelAsync();
            await _watching;
            _stopWatching.Dispose();
            await _app.DisposeAsync();
        }
    }

    private static int? PidOf(ResourceEvent e) =>
        e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
        && int.TryParse(pid.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>The latest state of every instance (replicas have names of their own, known only from their events).</summary>
    private async Task WatchInstancesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in _app.ResourceNotifications.WatchAsync(cancellationToken))
            {
                _instances[update.ResourceId] = update;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private DistributedApplicationModel Model => _app.Services.GetRequiredService<DistributedApplicationModel>();

    private async Task WaitUntilUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(
                _app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", cancellationToken),
                _app.ResourceNotifications.WaitForResourceHealthyAsync("dashboard", cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The system was not up after {StartTimeout}: {DescribeResources()}");
        }
        Gateway = _app.GetEndpoint("gateway", "http");
        Dashboard = _app.GetEndpoint("dashboard", "http");
        TasksConnectionString = await _app.GetConnectionStringAsync("neutrino", cancellationToken) ?? "";
        NatsUrl = await _app.GetConnectionStringAsync("nats", cancellationToken) ?? "";
        InternalSecret = await Model.Resources.OfType<ParameterResource>().Single(p => p.Name == "internal-secret").GetValueAsync(cancellationToken) ?? "";
        if (AspireDashboardExtensions.LoginUrl(Model, _app.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()) is { } login)
        {
            AspireDashboardLoginUrl = new Uri(login);
        }
    }

    private string DescribeResources() => string.Join("; ", _instances.Values.OrderBy(e => e.ResourceId, StringComparer.Ordinal)
        .Select(e => $"{e.ResourceId} {e.Snapshot.State?.Text} {e.Snapshot.HealthStatus}{UnhealthyReports(e)}"));

    /// <summary>What each failing health check of an instance last said, e.g. " (asyncpool-ready: ...)".</summary>
    private static string UnhealthyReports(ResourceEvent e) =>
        e.Snapshot.HealthReports.Where(r => r.Status is not Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy).ToList() is { Count: > 0 } failing
            ? $" ({string.Join(", ", failing.Select(r => $"{r.Name}: {r.Description ?? r.ExceptionText?.Split('\n')[0] ?? r.Status?.ToString()}"))})"
            : "";
}
