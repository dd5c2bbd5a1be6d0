using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Neutrino.Core.Workers;

/// <summary>
/// Keeps this worker's row in the <c>workers</c> table fresh (database time, so clocks of other
/// machines do not matter) and removes it after a clean stop. A row not renewed within
/// <see cref="WorkerOptions.LivenessLease"/> means the worker is gone: its running tasks may be
/// taken over by a redelivery, and the gateway's sweeper re-queues those whose message is lost.
/// Registered before the queued worker, so it stops after the worker has drained.
/// </summary>
internal sealed partial class WorkerLiveness(
    NpgsqlDataSource dataSource,
    TaskRegistry registry,
    WorkerIdentity identity,
    RunningTasks running,
    IEnumerable<IWorkerReport> reports,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<WorkerLiveness> logger) : BackgroundService
{
    private const string RenewSql = """
        INSERT INTO workers (id, pool, host, process_id, concurrency, running, started_at, last_seen_at, report)
        VALUES ($1, $2, $3, $4, $5, $6, now(), now(), $7)
        ON CONFLICT (id) DO UPDATE SET running = excluded.running, last_seen_at = now(), report = excluded.report
        """;

    private const string RemoveSql = "DELETE FROM workers WHERE id = $1";

    // A cancellation is one core NATS message, which a reconnect can lose: what the store says is asked
    // of this worker's tasks is read back with every renewal, so a cancel reaches its task regardless.
    private const string CancelRequestedSql = "SELECT id FROM tasks WHERE id = ANY($1) AND status = 'running' AND cancel_requested_at IS NOT NULL";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LivenessInterval, time);
        do
        {
            try
            {
                await using var command = dataSource.CreateCommand(RenewSql);
                command.Parameters.Add(new() { Value = identity.Id });
                command.Parameters.Add(new() { Value = registry.Pool });
                command.Parameters.Add(new() { Value = Environment.MachineName });
                command.Parameters.Add(new() { Value = Environment.ProcessId });
                command.Parameters.Add(new() { Value = options.Value.Concurrency });
                command.Parameters.Add(new() { Value = running.Count });
                command.Parameters.Add(new() { Value = (object?)Report() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Jsonb });
                await command.ExecuteNonQueryAsync(stoppingToken);
                await CancelRequestedAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogRenewFailed(logger, identity.Id, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    // One report per pool; as with any service, the last registered wins.
    private string? Report() => reports.LastOrDefault()?.ToJson();

    private async Task CancelRequestedAsync(CancellationToken cancellationToken)
    {
        var ids = running.Ids;
        if (ids.Length == 0)
        {
            return;
        }
        await using var command = dataSource.CreateCommand(CancelRequestedSql);
        command.Parameters.Add(new() { Value = ids });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetGuid(0);
            if (running.TryCancel(id))
            {
                LogCancelFound(logger, id);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await using var command = dataSource.CreateCommand(RemoveSql);
            command.Parameters.Add(new() { Value = identity.Id });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            // The row expires on its own after the lease.
            LogRemoveFailed(logger, identity.Id, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} could not renew its liveness: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string workerId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancelling task {TaskId}: its cancellation was asked for and its message did not arrive")]
    private static partial void LogCancelFound(ILogger logger, Guid taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} could not remove its liveness row: {Reason}")]
    private static partial void LogRemoveFailed(ILogger logger, string workerId, string reason);
}
