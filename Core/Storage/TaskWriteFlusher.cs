using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Neutrino.Core.Telemetry;
using Npgsql;

namespace Neutrino.Core.Storage;

/// <summary>
/// Group commit: concurrent state writes from every task in the process go to PostgreSQL as one
/// batch, one round trip and one transaction, so the cost of a commit is shared by all of them.
/// On shutdown it drains what is queued before it stops.
/// </summary>
internal sealed partial class TaskWriteFlusher(
    NpgsqlDataSource dataSource,
    TaskWriteQueue queue,
    ILogger<TaskWriteFlusher> logger) : BackgroundService
{
    private const int MaxBatch = 512;
    private const int Flushers = 2;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stopping closes the queue; the loops end once it is empty, so history is flushed.
        stoppingToken.Register(queue.Complete);
        return Task.WhenAll(Enumerable.Range(0, Flushers).Select(_ => Task.Run(FlushLoopAsync, CancellationToken.None)));
    }

    private async Task FlushLoopAsync()
    {
        var batch = new List<TaskWrite>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }
            if (batch.Count > 0)
            {
                await FlushAsync(batch);
            }
        }
    }

    private async Task FlushAsync(List<TaskWrite> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var succeeded = false;
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
            await using var command = new NpgsqlBatch(connection);
            foreach (var write in batch)
            {
                var statement = new NpgsqlBatchCommand(write.Sql);
                statement.Parameters.AddRange(write.Parameters);
                command.BatchCommands.Add(statement);
            }
            // A batch runs as one implicit transaction: every statement commits, or none does.
            var rows = new object?[]?[batch.Count];
            await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
            {
                var i = 0;
                do
                {
                    if (await reader.ReadAsync(CancellationToken.None))
                    {
                        var row = new object?[reader.FieldCount];
                        for (var field = 0; field < row.Length; field++)
                        {
                            row[field] = reader.IsDBNull(field) ? null : reader.GetValue(field);
                        }
                        rows[i] = row;
                    }
                    i++;
                }
                while (await reader.NextResultAsync(CancellationToken.None));
            }
            succeeded = true;
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Complete(rows[i], batch.Count);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogFlushFailed(logger, batch.Count, ex);
            foreach (var write in batch)
            {
                write.Fail(ex);
            }
        }
        finally
        {
            StoreMetrics.RecordBatch(batch.Count, Stopwatch.GetElapsedTime(started), succeeded);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Count} task state changes; the writers are told and retry.")]
    private static partial void LogFlushFailed(ILogger logger, int count, Exception error);
}
