using Microsoft.Extensions.Hosting;

namespace Neutrino.AppHost.Lifecycle;

/// <summary>
/// A loop that runs for the AppHost's whole life. It starts before any hosted service starts,
/// because Aspire's orchestrator only finishes starting once resources are up, and these loops
/// watch resources come up.
/// </summary>
internal abstract partial class ApplicationWatcher(ILogger logger) : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    protected abstract Task WatchAsync(CancellationToken stoppingToken);

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task RunAsync()
    {
        try
        {
            await WatchAsync(_stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // The AppHost goes on without the watcher; the log says why it stopped.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(logger, GetType().Name, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Watcher} stopped")]
    private static partial void LogFailed(ILogger logger, string watcher, Exception error);

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();
}
