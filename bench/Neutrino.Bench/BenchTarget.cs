using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json.Nodes;

namespace Neutrino.Bench;

/// <summary>The system under measurement: one this program starts through the AppHost, or one already running.</summary>
internal sealed class BenchTarget : IAsyncDisposable
{
    private readonly Process? _appHost;

    private BenchTarget(JsonNode endpoints, Process? appHost, string dataDirectory, TimeSpan? startup)
    {
        DataDirectory = dataDirectory;
        _appHost = appHost;
        Startup = startup;
        ApiKey = endpoints["api-key"]!["value"]!.GetValue<string>();
        InternalSecret = endpoints["internal-secret"]?["value"]?.GetValue<string>() ?? "";
        Gateway = Url(endpoints, "gateway");
        FastPool = Url(endpoints, "fastpool");
        GpuPool = Url(endpoints, "gpupool");
        TasksConnectionString = endpoints["neutrino"]!["connection_string"]!.GetValue<string>();
        NatsUrl = endpoints["nats"]!["connection_string"]!.GetValue<string>();
        Client = CreateClient(Gateway);
    }

    public string ApiKey { get; }

    public string DataDirectory { get; }

    /// <summary>From starting the AppHost to everything healthy, for a system this program started.</summary>
    public TimeSpan? Startup { get; }

    /// <summary>Where the system's models are: for systems the bench starts, one directory they share.</summary>
    public string ModelsDirectory => _appHost is null ? Path.Combine(DataDirectory, "models") : SharedModels;

    private static string SharedModels => Path.Combine(Path.GetTempPath(), "neutrino-bench", "models");

    private static string RepositoryRoot { get; } = typeof(BenchTarget).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "Neutrino.RepositoryRoot").Value!;

    public Uri Gateway { get; }

    /// <summary>The fast pool's address: DCP's proxy in front of its replicas, which is what the gateway calls.</summary>
    public Uri FastPool { get; }

    public Uri GpuPool { get; }

    public string TasksConnectionString { get; }

    /// <summary>The system's NATS server, with its user and password.</summary>
    public string NatsUrl { get; }

    public HttpClient Client { get; }

    /// <summary>The gateway's proof to the pools, for the rows that call a pool directly.</summary>
    public string InternalSecret { get; }

    public HttpClient CreateClient(Uri baseAddress)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        client.DefaultRequestHeaders.Add("Neutrino-Gateway-Proof", InternalSecret); // GatewayProof.Header
        return client;
    }

    /// <summary>
    /// A fast pool process's own address, behind DCP's proxy: DCP publishes only the proxy, so it is
    /// read from the process's environment, as one would by hand.
    /// </summary>
    public static Uri FastPoolProcess() => new(ProcessTree.Environment(ProcessTree.Find("Neutrino.FastPool").First(), "ASPNETCORE_URLS")!.Split(';')[0]);

    /// <summary>
    /// Proportional memory (PSS) of the AppHost and everything under it: DCP (which detaches, and
    /// watches the AppHost by pid), the Aspire dashboard, every server and service.
    /// </summary>
    public long SystemMemoryBytes()
    {
        if (_appHost is null)
        {
            return 0;
        }
        var appHost = ProcessTree.Descendants(_appHost.Id).Prepend(_appHost.Id).ToList();
        var dcp = appHost.SelectMany(pid => ProcessTree.Watching(pid)).ToList();
        return appHost.Concat(dcp).Concat(dcp.SelectMany(ProcessTree.Descendants)).Distinct().Sum(ProcessTree.ProportionalMemory);
    }

    public static async Task<BenchTarget> AttachAsync(string dataDirectory) =>
        new(JsonNode.Parse(await File.ReadAllTextAsync(EndpointsFile(dataDirectory)))!, null, dataDirectory, null);

    /// <param name="environment">Settings for every service, e.g. <c>Neutrino__Embeddings__Batching=false</c>.</param>
    public static async Task<BenchTarget> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "neutrino-bench", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "run", "-c", "Release", "--no-build", "--no-launch-profile", "--project", Path.Combine(RepositoryRoot, "AppHost"), "--",
            $"--Neutrino:DataDir={directory}", "--Neutrino:GatewayPort=0", "--Neutrino:DashboardPort=0", "--Neutrino:AspireDashboardPort=0",
            $"--Neutrino:ModelsDir={SharedModels}",
        })
        {
            info.ArgumentList.Add(argument);
        }
        // Services log at Warning (they inherit the AppHost's environment): console logging of every request would be what is measured.
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var started = Stopwatch.StartNew();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var file = EndpointsFile(directory);
        while (!File.Exists(file))
        {
            if (process.HasExited || started.Elapsed > TimeSpan.FromMinutes(4))
            {
                throw new InvalidOperationException("The system did not come up; its logs are in the Aspire dashboard while it runs.");
            }
            await Task.Delay(250);
        }
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"system up in {started.Elapsed.TotalSeconds:0.0} s"));
        return new BenchTarget(JsonNode.Parse(await File.ReadAllTextAsync(file))!, process, directory, started.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_appHost is not null && !_appHost.HasExited)
        {
            // SIGTERM, Ctrl+C's twin: the AppHost stops everything it started.
            using (var kill = Process.Start("kill", ["-TERM", _appHost.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            await _appHost.WaitForExitAsync();
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private static string EndpointsFile(string dataDirectory) => Path.Combine(dataDirectory, "run", "endpoints.json");

    private static Uri Url(JsonNode endpoints, string resource) => new(endpoints[resource]!["urls"]![0]!.GetValue<string>());
}
