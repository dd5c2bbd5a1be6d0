
namespace Neutrino.AppHost.Hosting;

/// <summary>
/// The Debian packages the AppHost runs in run mode (PostgreSQL, nats-server, npm), found where
/// Debian installs them, and installed with apt when the AppHost runs as root, the way Aspire pulls
/// a missing image. Otherwise the start stops with the exact command to run.
/// </summary>
internal static class DebianPackages
{
    private static readonly SemaphoreSlim AptLock = new(1, 1);

    public static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"])
            .Select(directory => Path.Combine(directory, command))
            .FirstOrDefault(File.Exists);

    /// <summary>What <paramref name="find"/> finds, installing <paramref name="package"/> first when it finds nothing.</summary>
    public static async Task<string> RequireAsync(string package, Func<string?> find, ILogger logger, CancellationToken cancellationToken)
    {
        if (find() is { } found)
        {
            return found;
        }
        var command = $"apt-get install -y {package}";
        if (!NeutrinoHost.IsRoot || !File.Exists("/usr/bin/apt-get"))
        {
            throw new DistributedApplicationException($"'{package}' is not installed. Install it with: sudo {command}");
        }
        await AptLock.WaitAsync(cancellationToken);
        try
        {
            if (find() is { } installedMeanwhile)
            {
                return installedMeanwhile;
            }
            HostingLog.Installing(logger, package, command);
            string[] install = ["install", "-y", "-qq", "--no-install-recommends", package];
            var code = await AptAsync(install, logger, cancellationToken);
            if (code != 0)
            {
                // A fresh machine has no package lists yet.
                await AptAsync(["update", "-qq"], logger, cancellationToken);
                code = await AptAsync(install, logger, cancellationToken);
            }
            return find() ?? throw new DistributedApplicationException($"Installing '{package}' failed (apt-get exited with {code}). Install it with: {command}");
        }
        finally
        {
            AptLock.Release();
        }
    }

    private static async Task<int> AptAsync(string[] arguments, ILogger logger, CancellationToken cancellationToken) =>
        (await ShortCommand.RunAsync("apt-get", arguments, logger, cancellationToken, new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" })).ExitCode;
}
