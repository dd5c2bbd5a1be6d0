using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Neutrino.AppHost.Hosting;

namespace Neutrino.Tests.Infrastructure;

/// <summary>
/// The whole system, started the way a user starts it: the AppHost process, with its own data
/// directory and free ports. Everything it runs is real: PostgreSQL, nats-server, every service.
/// </summary>
public sealed class NeutrinoSystem : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NeutrinoSystem(Process process, string dataDirectory, string apiKey)
    {
        _process = process;
        DataDirectory = dataDirectory;
        ApiKey = apiKey;
    }

    public string DataDirectory { get; }

    public string ApiKey { get; }

    public Uri Gateway { get; private set; } = null!;

    public Uri Dashboard { get; private set; } = null!;

    public string TasksConnectionString { get; private set; } = "";

    public string NatsUrl { get; private set; } = "";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

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

    public static async Task<NeutrinoSystem> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments)
    {
        var apiKey = "nk_test_" + Guid.NewGuid().ToString("N");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(BuildInfo.OutputAssembly("AppHost", "Neutrino.AppHost"));
        // Later arguments win: the caller's come last.
        string[] defaults = [$"--Neutrino:DataDir={dataDirectory}", "--Neutrino:GatewayPort=0", "--Neutrino:DashboardPort=0", $"--Neutrino:ModelsDir={SharedModelsDirectory}"];
        foreach (var argument in defaults.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["Neutrino__Auth__BootstrapKey"] = apiKey;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var system = new NeutrinoSystem(process, dataDirectory, apiKey);
        process.OutputDataReceived += (_, e) => system.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => system.Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await system.WaitForEndpointsAsync();
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

    /// <summary>As above, with environment variables for the AppHost and (inherited) every service it starts.</summary>
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

    /// <summary>The pids of every process the AppHost started, from its pid files.</summary>
    public IReadOnlyList<int> ChildProcessIds() =>
        [.. Directory.EnumerateFiles(Path.Combine(DataDirectory, "run"), "*.pid").Select(f => ProcessOf(Path.GetFileNameWithoutExtension(f)).Id)];

    /// <summary>The current process of a resource instance (e.g. "nats", "asyncpool-1") and its command line, from its pid file.</summary>
    public (int Id, string CommandLine) ProcessOf(string instance)
    {
        var lines = File.ReadAllLines(Path.Combine(DataDirectory, "run", instance + ".pid"));
        return (int.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture), lines[1]);
    }

    /// <summary>Ctrl+C's twin: SIGTERM to the AppHost, then its exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            Signals.Send(_process.Id, Signals.SigTerm);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await _process.WaitForExitAsync(timeout.Token);
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitForEndpointsAsync()
    {
        var file = Path.Combine(DataDirectory, "run", "endpoints.json");
        var started = Stopwatch.StartNew();
        while (!File.Exists(file))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The AppHost exited with code {_process.ExitCode} before it was up:\n{Tail(Output)}");
            }
            if (started.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"The AppHost was not up after {StartTimeout}:\n{Tail(Output)}");
            }
            await Task.Delay(PollInterval);
        }
        var endpoints = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        Gateway = new Uri(endpoints["gateway"]!["urls"]![0]!.GetValue<string>());
        Dashboard = new Uri(endpoints["dashboard"]!["urls"]![0]!.GetValue<string>());
        TasksConnectionString = endpoints["neutrino"]!["connection_string"]!.GetValue<string>();
        NatsUrl = endpoints["nats"]!["connection_string"]!.GetValue<string>();
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(60));
}
