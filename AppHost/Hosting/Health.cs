namespace Neutrino.AppHost.Hosting;

/// <summary>Waiting for a started process to become healthy, bounded, and failing fast if it dies.</summary>
internal static class Health
{
    /// <summary>
    /// Starts a process on ports of its own choosing until it is healthy. A process that dies before
    /// that is started again on fresh ports, twice at most: a port picked free can be taken by another
    /// process before the server binds it.
    /// </summary>
    public static async Task StartOnFreePortsAsync(Func<Task> start, Action choosePorts, ResourceLog log)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await start();
                return;
            }
            catch (ResourceStartException ex) when (ex.ProcessExited && attempt < 3)
            {
                log.Write($"{ex.Message}; trying again on other ports");
                choosePorts();
            }
        }
    }

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public static Task<bool> HttpOkAsync(string url, CancellationToken cancellationToken) => ProbeAsync(async () =>
    {
        using var response = await Http.GetAsync(url, cancellationToken);
        return response.IsSuccessStatusCode;
    });

    public static async Task WaitAsync(
        string resource, ManagedProcess process, ResourceLog log, TimeSpan timeout, Func<CancellationToken, Task<bool>> probe, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            if (process.HasExited)
            {
                throw new ResourceStartException(resource, $"the process exited with code {process.ExitCode} before it was healthy", log.Path) { ProcessExited = true };
            }
            try
            {
                if (await probe(deadline.Token))
                {
                    return;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ResourceStartException(resource, $"not healthy after {timeout.TotalSeconds:0} s", log.Path);
            }
        }
    }

    private static async Task<bool> ProbeAsync(Func<Task<bool>> probe)
    {
        try
        {
            return await probe();
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false; // this probe timed out; the caller's deadline decides
        }
    }
}
