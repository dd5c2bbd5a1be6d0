using System.Globalization;

namespace Neutrino.AppHost.Hosting;

/// <summary>
/// An AppHost killed with SIGKILL cannot stop its children. The next one, started on the same data
/// directory, finds their pid files and stops them before it starts anything.
/// </summary>
internal static class StaleProcesses
{
    /// <summary>Records the process and the command it runs (it may still be exec'ing through setsid/setpriv now).</summary>
    public static void Record(string pidFile, int pid, string commandLine) => File.WriteAllText(pidFile, $"{pid}\n{commandLine}");

    public static async Task StopAllAsync(HostContext host)
    {
        foreach (var pidFile in Directory.EnumerateFiles(host.RunDirectory, "*.pid"))
        {
            var lines = (await File.ReadAllTextAsync(pidFile)).Split('\n', 2);
            if (int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && lines.Length == 2
                && ReadCommandLine(pid) is { } running
                && running.StartsWith(lines[1], StringComparison.Ordinal))
            {
                host.Console.WriteLine("apphost", $"stopping {Path.GetFileNameWithoutExtension(pidFile)} (pid {pid}) left running by an earlier AppHost");
                Signals.Send(pid, Signals.SigTerm);
                for (var i = 0; i < 100 && Signals.IsAlive(pid); i++)
                {
                    await Task.Delay(100);
                }
                if (Signals.IsAlive(pid))
                {
                    Signals.Send(pid, Signals.SigKill);
                }
            }
            File.Delete(pidFile);
        }
    }

    // The command line guards against a recycled pid: only the very process that was started is stopped.
    private static string? ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
