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
/// Finds tasks the queue has lost and queues them again, each round:
/// <list type="bullet">
/// <item>The sweep: a task still <c>running</c> on a worker whose liveness row has not been renewed
/// for <see cref="GatewayOptions.LostWorkerAfter"/> has lost its worker, and JetStream's redelivery
/// (which normally takes such a task over within the ack wait) has not happened, so its message is
/// gone too. It goes back to <c>queued</c>, its lost attempt counted, and is published again.</item>
/// <item>The reconcile: a gateway that dies after recording a task and before publishing it, or a
/// sweep whose publish failed, leaves a task queued with no message. When all of a pool's consumers
/// have nothing pending or unacknowledged, no queued task older than
/// <see cref="GatewayOptions.ReconcileAfter"/> can have a message, so such tasks are published again.</item>
/// </list>
/// Publishing a task that still has a message is harmless: the server drops a repeated message id
/// inside its duplicate window, and beyond it the task's start decision lets only one copy run it.
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
        SELECT id, name, priority, args::text, attempts FROM tasks
        WHERE pool = $1 AND status = 'queued' AND created_at < $2
        ORDER BY id LIMIT $3
        """;

    private const string SweepSql = """
        WITH lost AS (
            SELECT t.id, t.worker_id, t.attempts FROM tasks t
            WHERE t.pool = $1 AND t.status = 'running' AND t.started_at < now() - $2
              AND NOT EXISTS (SELECT 1 FROM workers w WHERE w.id = t.worker_id AND w.last_seen_at > now() - $2)
            ORDER BY t.id LIMIT $3
            FOR UPDATE SKIP LOCKED),
        upd AS (
            UPDATE tasks t SET status = 'queued', worker_id = NULL, run_token = NULL, progress = NULL, progress_message = NULL
            FROM lost WHERE t.id = lost.id
            RETURNING t.id, t.name, t.priority, t.args::text AS args, t.attempts, lost.worker_id AS lost_worker),
        ev AS (
            INSERT INTO task_events (task_id, status, attempt, at, detail)
            SELECT id, 'queued', attempts, now(), 'worker ' || coalesce(lost_worker, '(unknown)') || ' was lost during attempt ' || attempts || ' and the message with it; queued again'
            FROM upd)
        SELECT id, name, priority, args, attempts FROM upd
        """;

    // Rows of workers that died without removing them; long past any use.
    private const string ForgetWorkersSql = "DELETE FROM workers WHERE last_seen_at < now() - interval '1 day'";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReconcileInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await TryAsync("(workers)", ForgetDeadWorkersAsync, stoppingToken);
            foreach (var pool in Pools.Queued)
            {
                await TryAsync(pool, ct => ReconcileAsync(pool, ct), stoppingToken);
            }
        }
    }

    /// <summary>One duty of a round; its failure is logged and the next round tries again.</summary>
    private async Task TryAsync(string what, Func<CancellationToken, Task> duty, CancellationToken stoppingToken)
    {
        try
        {
            await duty(stoppingToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or NatsException or TimeoutException
            || (ex is OperationCanceledException && !stoppingToken.IsCancellationRequested))
        {
            LogFailed(logger, what, ex);
        }
    }

    private async Task ReconcileAsync(string pool, CancellationToken cancellationToken)
    {
        // Swept first: a failed publish leaves the task queued, for the reconcile to find.
        foreach (var task in await ReadTasksAsync(SweepSql, pool, options.Value.LostWorkerAfter, cancellationToken))
        {
            LogSwept(logger, task.Id, task.Name, task.Attempts);
            await submitter.PublishAsync(pool, task.Priority, QueuedTaskSubmitter.Headers(task.Id, task.Name), Encoding.UTF8.GetBytes(task.Args), $"{task.Id}:lost:{task.Attempts}");
        }

        if (!await QueuesAreIdleAsync(pool, cancellationToken))
        {
            return;
        }
        var before = (time.GetUtcNow() - options.Value.ReconcileAfter).ToUniversalTime();
        foreach (var task in await ReadTasksAsync(StaleSql, pool, before, cancellationToken))
        {
            // A first attempt keeps the gateway's message id, so a publish still in the window is not doubled.
            var messageId = task.Attempts == 0 ? task.Id.ToString() : $"{task.Id}:requeue:{task.Attempts}";
            await submitter.PublishAsync(pool, task.Priority, QueuedTaskSubmitter.Headers(task.Id, task.Name), Encoding.UTF8.GetBytes(task.Args), messageId);
            LogRepublished(logger, task.Id, task.Name);
        }
    }

    private async Task<List<LostTask>> ReadTasksAsync(string sql, string pool, object bound, CancellationToken cancellationToken)
    {
        var tasks = new List<LostTask>();
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = pool });
        command.Parameters.Add(new() { Value = bound });
        command.Parameters.Add(new() { Value = MaxPerRound });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var priority = WireNames.TryParse(reader.GetString(2), out TaskPriority p) ? p : TaskPriority.Normal;
            tasks.Add(new LostTask(reader.GetGuid(0), reader.GetString(1), priority, reader.IsDBNull(3) ? "null" : reader.GetString(3), reader.GetInt32(4)));
        }
        return tasks;
    }

    private async Task ForgetDeadWorkersAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ForgetWorkersSql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed record LostTask(Guid Id, string Name, TaskPriority Priority, string Args, int Attempts);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} ({Name}) lost its worker and its message during attempt {Attempt}; queued it again")]
    private static partial void LogSwept(ILogger logger, Guid taskId, string name, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} ({Name}) was queued but had no message; published it now")]
    private static partial void LogRepublished(ILogger logger, Guid taskId, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciling {Pool} failed; trying again next round")]
    private static partial void LogFailed(ILogger logger, string pool, Exception error);
}
