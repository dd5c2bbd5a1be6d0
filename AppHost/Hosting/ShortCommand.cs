using System.Diagnostics;

namespace Neutrino.AppHost.Hosting;

/// <summary>Runs a short command to completion (apt-get, initdb, chown), its output in a resource's log.</summary>
internal static class ShortCommand
{
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName, IEnumerable<string> arguments, ILogger logger, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var text = (await output) + (await errors);
        var command = Path.GetFileName(fileName);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            HostingLog.CommandOutput(logger, command, line);
        }
        return (process.ExitCode, text);
    }
}
