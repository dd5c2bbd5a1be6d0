using System.Security.Cryptography;
using Npgsql;

namespace Neutrino.AppHost.Hosting;

/// <summary>
/// A PostgreSQL server run from the Debian binaries, its cluster in <c>{data}/postgres</c>.
/// PostgreSQL refuses to run as root, so under root it runs as the <c>postgres</c> user.
/// </summary>
public sealed class PostgresServerResource(string name) : ManagedResource(name)
{
    private const string ServiceUser = "postgres";
    private readonly List<PostgresDatabaseResource> _databases = [];
    private string _binDirectory = "";
    private SupervisedProcess? _process;
    private ResourceLog? _log;

    public int Port { get; private set; }

    public string Password { get; private set; } = "";

    internal IReadOnlyList<PostgresDatabaseResource> Databases => _databases;

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Password = Password,
            Database = database,
        }.ConnectionString;

    internal void Add(PostgresDatabaseResource database) => _databases.Add(database);

    internal override async Task PrepareAsync(HostContext host, CancellationToken cancellationToken)
    {
        _binDirectory = await Prerequisites.PostgresBinDirectoryAsync(host, cancellationToken);
        Port = FreePort.Next();
        var passwordFile = Path.Combine(host.DataDirectory, "postgres.password");
        if (!File.Exists(passwordFile))
        {
            await File.WriteAllTextAsync(passwordFile, Convert.ToHexString(RandomNumberGenerator.GetBytes(24)), cancellationToken);
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        Password = (await File.ReadAllTextAsync(passwordFile, cancellationToken)).Trim();
    }

    internal override async Task StartAsync(HostContext host, CancellationToken cancellationToken)
    {
        var log = _log = host.OpenLog(Name);
        var dataDirectory = Path.Combine(host.DataDirectory, "postgres");
        var runAs = HostContext.IsRoot ? ServiceUser : null;
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await InitializeClusterAsync(host, log, dataDirectory, runAs, cancellationToken);
        }

        await Health.StartOnFreePortsAsync(() => StartProcessAsync(host, log, dataDirectory, runAs, cancellationToken), () => Port = FreePort.Next(), log);
        _process!.Supervise();
    }

    private async Task StartProcessAsync(HostContext host, ResourceLog log, string dataDirectory, string? runAs, CancellationToken cancellationToken)
    {
        _process = SupervisedProcess.Start(
            new ProcessSpec(
                Name,
                Path.Combine(_binDirectory, "postgres"),
                ["-D", dataDirectory, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                 "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=300"],
                new Dictionary<string, string>(),
                host.DataDirectory,
                runAs,
                // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, nothing committed is lost.
                Signals.SigInt),
            log,
            host);

        var adminConnection = ConnectionStringFor("postgres");
        await Health.WaitAsync(Name, _process.Current, log, TimeSpan.FromSeconds(60), ct => CanConnectAsync(adminConnection, ct), cancellationToken);
    }

    internal override async Task StopAsync(HostContext host)
    {
        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(30));
        }
        _log?.Dispose();
    }

    internal override IEnumerable<string> Describe() => [$"127.0.0.1:{Port} (user postgres)"];

    private async Task InitializeClusterAsync(HostContext host, ResourceLog log, string dataDirectory, string? runAs, CancellationToken cancellationToken)
    {
        log.Write($"initialising a new cluster in {dataDirectory}");
        Directory.CreateDirectory(dataDirectory);
        // initdb reads the password from a file the server's user can read; it is deleted right after.
        var passwordFile = Path.Combine(dataDirectory, "..", $".{Name}-initdb-password");
        await File.WriteAllTextAsync(passwordFile, Password, cancellationToken);
        try
        {
            if (runAs is not null)
            {
                await RunCheckedAsync(log, "chown", [$"{runAs}:{runAs}", dataDirectory, passwordFile], cancellationToken);
            }
            string[] initdb =
            [
                Path.Combine(_binDirectory, "initdb"), "-D", dataDirectory, "-U", "postgres", "-E", "UTF8", "--no-locale",
                "--auth=scram-sha-256", $"--pwfile={passwordFile}",
            ];
            if (runAs is null)
            {
                await RunCheckedAsync(log, initdb[0], initdb[1..], cancellationToken);
            }
            else
            {
                await RunCheckedAsync(log, "setpriv", [$"--reuid={runAs}", $"--regid={runAs}", "--init-groups", "--", .. initdb], cancellationToken);
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private async Task RunCheckedAsync(ResourceLog log, string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var (code, output) = await CommandRunner.RunAsync(log, fileName, arguments, cancellationToken);
        if (code != 0)
        {
            var hint = output.Contains("Permission denied", StringComparison.Ordinal)
                ? $" The '{ServiceUser}' user must be able to reach the data directory: choose one outside /root with Neutrino__DataDir."
                : "";
            throw new ResourceStartException(Name, $"'{fileName}' failed with exit code {code}.{hint}", log.Path);
        }
    }

    private static async Task<bool> CanConnectAsync(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }
}
