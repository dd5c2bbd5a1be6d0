using System.Globalization;
using Neutrino.AppHost.Hosting;

namespace Neutrino.AppHost.Postgres;

internal static class PostgresExtensions
{
    /// <summary>
    /// A PostgreSQL server and one database on it. Run here: Debian's server as a local process
    /// (<see cref="LocalPostgresServerResource"/>). In the manifest: Aspire.Hosting.PostgreSQL's
    /// container with a data volume. Either way the database's connection string is
    /// <c>ConnectionStrings__{database}</c> for whatever references it.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddPostgresDatabase(this IDistributedApplicationBuilder builder, string server, string database)
    {
        var password = builder.AddSecret($"{server}-password", file: $"{server}.password");
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddPostgres(server, password: password).WithDataVolume($"neutrino-{server}-data").AddDatabase(database);
        }

        var host = NeutrinoHost.Of(builder);
        var port = FreePort.Resolve(builder.Configuration.GetValue($"Neutrino:PostgresPort", 0), "Neutrino:PostgresPort");
        var resource = new LocalPostgresServerResource(server, password.Resource, Path.Combine(host.DataDirectory, server));
        var healthCheck = $"{server}-accepts-connections";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => resource.ConnectionStringExpression.GetValueAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult()!,
            name: healthCheck);
        builder.Services.AddStartupProbe(healthCheck);

        var serverBuilder = builder.AddResource(resource)
            // No proxy: every service's connections go straight to the server.
            .WithEndpoint(name: LocalPostgresServerResource.EndpointName, port: port, targetPort: port, scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                // DCP stops a process with SIGTERM, which is PostgreSQL's "smart" shutdown: it waits for
                // every client to hang up, and the services' pools never do until DCP kills it. SIGINT is
                // the fast shutdown service managers use (Debian's systemd unit too): clients are
                // disconnected, and nothing committed is lost. A small shell turns the one into the other.
                context.Args.Add("-c");
                context.Args.Add(FastShutdown);
                context.Args.Add("postgres");
                if (NeutrinoHost.IsRoot)
                {
                    // setpriv execs in place: the shell's child is the server itself.
                    context.Args.Add("setpriv");
                    context.Args.Add($"--reuid={LocalPostgresServerResource.UserName}");
                    context.Args.Add($"--regid={LocalPostgresServerResource.UserName}");
                    context.Args.Add("--init-groups");
                    context.Args.Add("--");
                }
                context.Args.Add(Path.Combine(resource.BinDirectory, "postgres"));
                foreach (var argument in new[]
                {
                    "-D", resource.ClusterDirectory, "-p", port.ToString(CultureInfo.InvariantCulture),
                    "-c", "listen_addresses=localhost", "-c", "unix_socket_directories=", "-c", "max_connections=300",
                })
                {
                    context.Args.Add(argument);
                }
            })
            .WithHealthCheck(healthCheck)
            .WithIconName("Database");

        builder.Eventing.Subscribe<BeforeStartEvent>(async (@event, cancellationToken) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
            resource.BinDirectory = await DebianPackages.RequireAsync("postgresql", FindBinDirectory, logger, cancellationToken);
        });
        serverBuilder.OnBeforeResourceStarted(async (server, @event, cancellationToken) =>
        {
            if (!File.Exists(Path.Combine(server.ClusterDirectory, "PG_VERSION")))
            {
                var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
                await InitializeClusterAsync(server, await server.Password.GetValueAsync(cancellationToken) ?? "", logger, cancellationToken);
            }
        });

        var databaseBuilder = builder.AddResource(new LocalPostgresDatabaseResource(database, resource))
            // Its server's health check counts for it too (Aspire looks at a resource's ancestors).
            .WithInitialState(new CustomResourceSnapshot { ResourceType = "PostgresDatabase", Properties = [] })
            .WithIconName("DatabaseStack");
        // Aspire carries a container's state to its databases; for a process, this does: the database is
        // up while its server is (and ready once the server accepts connections, its health check).
        serverBuilder.OnResourceReady((_, @event, _) => @event.Services.GetRequiredService<ResourceNotificationService>()
            .PublishUpdateAsync(databaseBuilder.Resource, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow, StopTimeStamp = null }));
        serverBuilder.OnResourceStopped((_, @event, _) => @event.Services.GetRequiredService<ResourceNotificationService>()
            .PublishUpdateAsync(databaseBuilder.Resource, s => s with { State = KnownResourceStates.Exited, StopTimeStamp = DateTime.UtcNow }));
        return databaseBuilder;
    }

    // Runs its arguments as a child, turning SIGTERM (and SIGINT) into SIGINT for it, and exits as it does.
    private const string FastShutdown = """
        trap 'kill -INT "$pid" 2>/dev/null' TERM INT
        "$@" &
        pid=$!
        while kill -0 "$pid" 2>/dev/null; do wait "$pid"; status=$?; done
        exit "$status"
        """;

    private static string? FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        return !Directory.Exists(root)
            ? null
            : Directory.EnumerateDirectories(root)
                .Select(directory => (Bin: Path.Combine(directory, "bin"), Version: int.TryParse(Path.GetFileName(directory), out var version) ? version : 0))
                .Where(candidate => File.Exists(Path.Combine(candidate.Bin, "postgres")) && File.Exists(Path.Combine(candidate.Bin, "initdb")))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Bin)
                .FirstOrDefault();
    }

    private static async Task InitializeClusterAsync(LocalPostgresServerResource server, string password, ILogger logger, CancellationToken cancellationToken)
    {
        HostingLog.InitializingCluster(logger, server.ClusterDirectory);
        Directory.CreateDirectory(server.ClusterDirectory);
        // initdb reads the password from a file the server's user can read; it is deleted right after.
        var passwordFile = Path.Combine(Path.GetDirectoryName(server.ClusterDirectory)!, $".{server.Name}-initdb-password");
        await SecretFile.WriteAsync(passwordFile, password, cancellationToken);
        try
        {
            string[] initdb =
            [
                Path.Combine(server.BinDirectory, "initdb"), "-D", server.ClusterDirectory, "-U", LocalPostgresServerResource.UserName,
                "-E", "UTF8", "--no-locale", "--auth=scram-sha-256", $"--pwfile={passwordFile}",
            ];
            if (NeutrinoHost.IsRoot)
            {
                var user = LocalPostgresServerResource.UserName;
                await RunAsync("chown", [$"{user}:{user}", server.ClusterDirectory, passwordFile], logger, cancellationToken);
                await RunAsync("setpriv", [$"--reuid={user}", $"--regid={user}", "--init-groups", "--", .. initdb], logger, cancellationToken);
            }
            else
            {
                await RunAsync(initdb[0], initdb[1..], logger, cancellationToken);
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static async Task RunAsync(string fileName, IEnumerable<string> arguments, ILogger logger, CancellationToken cancellationToken)
    {
        var (code, output) = await ShortCommand.RunAsync(fileName, arguments, logger, cancellationToken);
        if (code != 0)
        {
            var hint = output.Contains("Permission denied", StringComparison.Ordinal)
                ? $" The '{LocalPostgresServerResource.UserName}' user must be able to reach the data directory: choose one outside /root with Neutrino__DataDir."
                : "";
            throw new DistributedApplicationException($"'{fileName}' failed with exit code {code}.{hint}");
        }
    }
}
