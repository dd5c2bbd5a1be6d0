using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Neutrino.Core.Storage;

namespace Neutrino.Gateway.Submission;

/// <summary>Bound from <c>Neutrino:Retention</c>.</summary>
internal sealed class RetentionOptions
{
    public const string Section = "Neutrino:Retention";

    /// <summary>How long a finished task (completed, failed or cancelled) and its history are kept.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan FinishedTasks { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the gateway looks for tasks past their time.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Tasks removed per statement: small, so no transaction holds many rows.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 1000;
}

/// <summary>
/// Removes finished tasks past <see cref="RetentionOptions.FinishedTasks"/>, batch after batch until
/// none is left, every interval. Any gateway may do it: batches skip each other's rows. Collections
/// are kept; dead letters expire with their stream's own age limit.
/// </summary>
internal sealed partial class TaskRetention(
    TaskRetentionStore store,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<TaskRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var cutoff = time.GetUtcNow() - settings.FinishedTasks;
                var removed = 0;
                int round;
                do
                {
                    round = await store.DeleteFinishedAsync(cutoff, settings.BatchSize, stoppingToken);
                    removed += round;
                }
                while (round == settings.BatchSize && !stoppingToken.IsCancellationRequested);
                if (removed > 0)
                {
                    LogRemoved(logger, removed, settings.FinishedTasks);
                }
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogFailed(logger, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} tasks finished more than {Retention} ago, with their history")]
    private static partial void LogRemoved(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove old tasks; trying again at the next interval: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
