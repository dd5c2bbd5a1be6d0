using System.Text;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Neutrino.Core.Messaging;
using Neutrino.Core.Tasks;
using Neutrino.Gateway.Extensions;
using Npgsql;

namespace Neutrino.Gateway.Submission;

/// <summary>
/// A gateway that dies after recording a task and before publishing it leaves the task queued with
/// no message. When all of a pool's consumers have nothing pending or unacknowledged, no queued
/// first attempt older than <see cref="GatewayOptions.ReconcileAfter"/> can have a message, so such
/// tasks are published again. Doing it twice is harmless: the server drops a repeated id inside its
/// duplicate window, and beyond it the forward-only start refuses a second run of the same attempt.
/// </summary>
internal sealed partial class QueueReconciler(
    NpgsqlDataSource dataSource,
    INatsJSContext js,
    QueuedTaskSubmitter submitter,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<QueueReconciler> logger) : BackgroundService
{
    private const int MaxPerRound = 500;

    private const string StaleSql = """
        SELECT id, name, priority, args::text FROM tasks
        WHERE pool = $1 AND status = 'queued' AND attempts = 0 AND created_at < $2
        ORDER BY id LIMIT $3
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReconcileInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var pool in new[] { Pools.Async, Pools.Gpu })
            {
                try
                {
                    await ReconcileAsync(pool, stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or NatsException or TimeoutException
                    || (ex is OperationCanceledException && !stoppingToken.IsCancellationRequested))
                {
                    LogFailed(logger, pool, ex);
                }
            }
        }
    }

    private async Task ReconcileAsync(string pool, CancellationToken cancellationToken)
    {
        if (!await QueuesAreIdleAsync(pool, cancellationToken))
        {
            return;
        }
        var stale = new List<(Guid Id, string Name, TaskPriority Priority, string Args)>();
        await using (var command = dataSource.CreateCommand(StaleSql))
        {
            command.Parameters.Add(new() { Value = pool });
            command.Parameters.Add(new() { Value = (time.GetUtcNow() - options.Value.ReconcileAfter).ToUniversalTime() });
            command.Parameters.Add(new() { Value = MaxPerRound });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var priority = WireNames.TryParse(reader.GetString(2), out TaskPriority p) ? p : TaskPriority.Normal;
                stale.Add((reader.GetGuid(0), reader.GetString(1), priority, reader.IsDBNull(3) ? "null" : reader.GetString(3)));
            }
        }
        foreach (var task in stale)
        {
            await submitter.PublishAsync(task.Id, pool, task.Priority, task.Name, Encoding.UTF8.GetBytes(task.Args), task.Id.ToString());
            LogRepublished(logger, task.Id, task.Name);
        }
    }

    private async Task<bool> QueuesAreIdleAsync(string pool, CancellationToken cancellationToken)
    {
        foreach (var priority in Subjects.PrioritiesInOrder)
        {
            try
            {
                var consumer = await js.GetConsumerAsync(Subjects.TaskStream, Subjects.Consumer(pool, priority), cancellationToken);
                if (consumer.Info.NumPending > 0 || consumer.Info.NumAckPending > 0)
                {
                    return false;
                }
            }
            catch (NatsJSApiException)
            {
                return false; // the pool has never run: nothing can be told about its messages
            }
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} ({Name}) was queued but never published; published it now")]
    private static partial void LogRepublished(ILogger logger, Guid taskId, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciling pool {Pool} failed; trying again next round")]
    private static partial void LogFailed(ILogger logger, string pool, Exception error);
}
