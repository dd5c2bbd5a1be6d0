using System.Diagnostics;

namespace Neutrino.AppHost.Hosting;

/// <summary>
/// A resource's process, started again when it exits on its own once it has been healthy, as a
/// Kubernetes pod would be: after 1 s, doubling to 10 s while it keeps failing.
/// </summary>
internal sealed class SupervisedProcess
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(60);

    private readonly ProcessSpec _spec;
    private readonly ResourceLog _log;
    private readonly HostContext _host;
    private readonly Lock _lock = new();
    private bool _stopping;
    private Task _watch = Task.CompletedTask;

    private SupervisedProcess(ProcessSpec spec, ResourceLog log, HostContext host)
    {
        _spec = spec;
        _log = log;
        _host = host;
        Current = ManagedProcess.Start(spec, log, host);
    }

    public ManagedProcess Current { get; private set; }

    public static SupervisedProcess Start(ProcessSpec spec, ResourceLog log, HostContext host) => new(spec, log, host);

    /// <summary>From now on an exit is a crash to recover from. Before, it is a failure to start, reported as such.</summary>
    public void Supervise()
    {
        if (_host.RestartOnExit)
        {
            _watch = WatchAsync();
        }
    }

    public async Task StopAsync(TimeSpan grace)
    {
        ManagedProcess current;
        lock (_lock)
        {
            _stopping = true;
            current = Current;
        }
        await current.StopAsync(grace);
        await _watch;
    }

    private async Task WatchAsync()
    {
        var delay = FirstDelay;
        while (true)
        {
            var started = Stopwatch.StartNew();
            var process = Current;
            await process.Exited;
            if (started.Elapsed > StableAfter)
            {
                delay = FirstDelay;
            }
            lock (_lock)
            {
                if (_stopping)
                {
                    return;
                }
            }
            _log.Write(_spec.Name, $"exited on its own with code {process.ExitCode}; starting it again in {delay.TotalSeconds:0} s");
            await Task.Delay(delay);
            lock (_lock)
            {
                if (_stopping)
                {
                    return;
                }
                Current = ManagedProcess.Start(_spec, _log, _host);
            }
            delay = delay * 2 > MaxDelay ? MaxDelay : delay * 2;
        }
    }
}
