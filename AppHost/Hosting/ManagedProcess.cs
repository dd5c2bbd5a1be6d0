using System.Diagnostics;

namespace Neutrino.AppHost.Hosting;

/// <summary>
/// A child process: started in its own session (so the terminal's Ctrl+C reaches only the AppHost,
/// which then stops children in order), its output sent to the resource log, its pid recorded so
/// a later AppHost can clean up after one that was killed.
/// </summary>
internal sealed class ManagedProcess
{
    private readonly Process _process;
    private readonly ProcessSpec _spec;
    private readonly string _pidFile;

    private ManagedProcess(Process process, ProcessSpec spec, string pidFile)
    {
        _process = process;
        _spec = spec;
        _pidFile = pidFile;
        Exited = process.WaitForExitAsync();
    }

    public int Id => _process.Id;

    public Task Exited { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ManagedProcess Start(ProcessSpec spec, ResourceLog log, HostContext host)
    {
        var info = new ProcessStartInfo
        {
            FileName = "setsid",
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (spec.RunAsUser is { } user)
        {
            // setpriv execs in place (no extra process), so signals reach the server itself.
            foreach (var arg in new[] { "setpriv", $"--reuid={user}", $"--regid={user}", "--init-groups", "--" })
            {
                info.ArgumentList.Add(arg);
            }
        }
        info.ArgumentList.Add(spec.FileName);
        foreach (var arg in spec.Arguments)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in spec.Environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Forward(log, spec.Name, e.Data);
        process.ErrorDataReceived += (_, e) => Forward(log, spec.Name, e.Data);
        if (!process.Start())
        {
            throw new ResourceStartException(spec.Name, $"'{spec.FileName}' did not start", log.Path);
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var pidFile = Path.Combine(host.RunDirectory, spec.Name + ".pid");
        StaleProcesses.Record(pidFile, process.Id, string.Join(' ', spec.Arguments.Prepend(spec.FileName)));
        return new ManagedProcess(process, spec, pidFile);
    }

    /// <summary>Asks the process to stop with its stop signal; kills it if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            Signals.Send(_process.Id, _spec.StopSignal);
            try
            {
                await Exited.WaitAsync(grace);
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await Exited;
            }
        }
        File.Delete(_pidFile);
    }

    private static void Forward(ResourceLog log, string prefix, string? line)
    {
        if (line is not null)
        {
            log.Write(prefix, line);
        }
    }
}
