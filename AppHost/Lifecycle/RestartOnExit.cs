using Microsoft.Extensions.Hosting;

namespace Neutrino.AppHost.Lifecycle;

/// <summary>
/// Starts a process again when it exits on its own after it was running (or a start again fails), as
/// Kubernetes restarts a pod: after 1 s, doubling to 10 s while it keeps failing, from 1 s again once it ran a minute.
/// Built on Aspire's resource states and its own start command, so the dashboard shows every exit
/// and restart. Stopping a resource from the dashboard (it passes through Stopping), the application
/// stopping, resources that run once and resources that start only when asked (Aspire's project
/// rebuilders) are left alone.
/// </summary>
internal sealed partial class RestartOnExit(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<RestartOnExit> logger) : ApplicationWatcher(logger)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StableAfter = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Instance> _instances = [];

    protected override async Task WatchAsync(CancellationToken stoppingToken)
    {
        await foreach (var update in notifications.WatchAsync(stoppingToken))
        {
            if (update.Resource is not (ExecutableResource or ProjectResource)
                || update.Resource.HasAnnotationOfType<RunsOnceAnnotation>()
                || update.Resource.HasAnnotationOfType<ExplicitStartupAnnotation>())
            {
                continue;
            }
            var state = update.Snapshot.State?.Text;
            if (!_instances.TryGetValue(update.ResourceId, out var instance))
            {
                _instances[update.ResourceId] = instance = new Instance();
            }
            if (state == instance.State)
            {
                continue;
            }
            instance.State = state;
            if (state == KnownResourceStates.Running)
            {
                // From its first run on, the instance is kept running.
                instance.Supervised = true;
                instance.RunningSince = time.GetTimestamp();
            }
            else if (state == KnownResourceStates.Stopping)
            {
                // Stopped on purpose (from the dashboard, or by a command): it stays stopped until started.
                instance.Supervised = false;
            }
            else if (IsExit(state) && instance.Supervised && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // An exit, or a start again that failed (a dependency went away while it waited): try again, backing off.
                instance.Delay = time.GetElapsedTime(instance.RunningSince) > StableAfter ? FirstDelay : instance.Delay;
                LogExited(logger, update.ResourceId, state, update.Snapshot.ExitCode, instance.Delay.TotalSeconds);
                _ = StartAgainAsync(update.ResourceId, instance.Delay, stoppingToken);
                instance.Delay = instance.Delay * 2 > MaxDelay ? MaxDelay : instance.Delay * 2;
            }
        }
    }

    private static bool IsExit(string? state) =>
        state == KnownResourceStates.Exited || state == KnownResourceStates.Finished || state == KnownResourceStates.FailedToStart;

    private async Task StartAgainAsync(string resourceId, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken);
            var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, stoppingToken);
            if (!result.Success)
            {
                LogStartFailed(logger, resourceId, result.Message);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private sealed class Instance
    {
        public string? State { get; set; }

        public long RunningSince { get; set; }

        public TimeSpan Delay { get; set; } = FirstDelay;

        public bool Supervised { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} is {State} (exit code {ExitCode}) and was not stopped on purpose; starting it again in {Delay} s")]
    private static partial void LogExited(ILogger logger, string resource, string? state, int? exitCode, double delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Resource} could not be started again: {Error}")]
    private static partial void LogStartFailed(ILogger logger, string resource, string? error);
}
