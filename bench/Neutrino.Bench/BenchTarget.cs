using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Neutrino.AppHost.Hosting;

namespace Neutrino.Bench;

/// <summary>The system under measurement: one this program starts through the AppHost, or one already running.</summary>
internal sealed class BenchTarget : IAsyncDisposable
{
    private readonly Process? _appHost;
    private readonly string? _ownedDirectory;

    private BenchTarget(JsonNode endpoints, Process? appHost, string? ownedDirectory, string dataDirectory)
    {
        DataDirectory = dataDirectory;
        _appHost = appHost;
        _ownedDirectory = ownedDirectory;
        ApiKey = endpoints["api-key"]!["value"]!.GetValue<string>();
        Gateway = new Uri(endpoints["gateway"]!["urls"]![0]!.GetValue<string>());
        FastPool = new Uri(endpoints["fastpool"]!["urls"]![0]!.GetValue<string>());
        GpuPool = new Uri(endpoints["gpupool"]!["urls"]![0]!.GetValue<string>());
        TasksConnectionString = endpoints["neutrino"]!["connection_string"]!.GetValue<string>();
        Client = CreateClient(Gateway);
    }

    public string ApiKey { get; }

    public string DataDirectory { get; }

    /// <summary>Where the system's models are: for systems the bench starts, one directory they share.</summary>
    public string ModelsDirectory => _appHost is null ? Path.Combine(DataDirectory, "models") : SharedModels;

    private static string SharedModels => Path.Combine(Path.GetTempPath(), "neutrino-bench", "models");

    public Uri Gateway { get; }

    public Uri FastPool { get; }

    public Uri GpuPool { get; }

    public string TasksConnectionString { get; }

    public HttpClient Client { get; }

    public HttpClient CreateClient(Uri baseAddress)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return client;
    }

    public static async Task<BenchTarget> AttachAsync(string dataDirectory) =>
        new(JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dataDirectory, "run", "endpoints.json")))!, null, null, dataDirectory);

    /// <param name="environment">Settings for every service, e.g. <c>Neutrino__Embeddings__Batching=false</c>.</param>
    public static async Task<BenchTarget> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "neutrino-bench", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            BuildInfo.OutputAssembly("AppHost", "Neutrino.AppHost"), $"--Neutrino:DataDir={directory}",
            "--Neutrino:GatewayPort=0", "--Neutrino:DashboardPort=0",
        })
        {
            info.ArgumentList.Add(argument);
        }
        // Services log at Warning: console logging of every request would be what is measured.
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Neutrino__ModelsDir"] = SharedModels;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var file = Path.Combine(directory, "run", "endpoints.json");
        var started = Stopwatch.StartNew();
        while (!File.Exists(file))
        {
            if (process.HasExited || started.Elapsed > TimeSpan.FromMinutes(4))
            {
                throw new InvalidOperationException($"The system did not come up; see {directory}/logs");
            }
            await Task.Delay(250);
        }
        Console.Error.WriteLine($"system up in {started.Elapsed.TotalSeconds:0.0} s");
        return new BenchTarget(JsonNode.Parse(await File.ReadAllTextAsync(file))!, process, directory, directory);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_appHost is not null && !_appHost.HasExited)
        {
            Signals.Send(_appHost.Id, Signals.SigTerm);
            await _appHost.WaitForExitAsync();
            Directory.Delete(_ownedDirectory!, recursive: true);
        }
    }
}
