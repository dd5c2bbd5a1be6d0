namespace Neutrino.AppHost.Hosting;

/// <summary>Waiting for a started process to become healthy, bounded, and failing fast if it dies.</summary>
internal static class Health
{
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
                throw new ResourceStartException(resource, $"the process exited with code {process.ExitCode} before it was healthy", log.Path);
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
