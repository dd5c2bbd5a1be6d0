using Microsoft.Extensions.Configuration;

namespace Neutrino.AppHost.Hosting;

/// <summary>What every resource shares: configuration, the data directory, and the console.</summary>
public sealed class HostContext
{
    internal HostContext(IConfiguration configuration, string dataDirectory, string environmentName)
    {
        Configuration = configuration;
        DataDirectory = dataDirectory;
        EnvironmentName = environmentName;
        Directory.CreateDirectory(DataDirectory);
        Directory.CreateDirectory(LogDirectory);
        Directory.CreateDirectory(RunDirectory);
    }

    public IConfiguration Configuration { get; }

    /// <summary>Survives restarts: the PostgreSQL cluster, the JetStream store, the API key, logs.</summary>
    public string DataDirectory { get; }

    public string LogDirectory => Path.Combine(DataDirectory, "logs");

    /// <summary>Pid files of the processes this AppHost started.</summary>
    public string RunDirectory => Path.Combine(DataDirectory, "run");

    public string EnvironmentName { get; }

    /// <summary>Whether a process that exits on its own after start-up is started again (<c>Neutrino:RestartOnExit</c>, default true).</summary>
    public bool RestartOnExit => !string.Equals(Configuration["Neutrino:RestartOnExit"], "false", StringComparison.OrdinalIgnoreCase);

    public static bool IsRoot => Environment.UserName == "root";

    internal ConsoleOutput Console { get; } = new();

    public ResourceLog OpenLog(string name) => new(name, Path.Combine(LogDirectory, name + ".log"), Console);
}
