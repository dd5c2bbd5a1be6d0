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
            var rows = await ExecuteAsync(batch);
            succeeded = true;
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Complete(rows[i], batch.Count);
            }
        }
#pragma warning disable CA1031 // No error may end the loop: every write of the process after it would wait forever.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (IsRefusal(ex))
            {
                // One statement may have been refused for what it carries: each runs alone, so only
                // that one fails and its neighbours, other callers' writes, are not touched.
                foreach (var write in batch)
                {
                    await FlushAloneAsync(write);
                }
            }
            else
            {
                LogFlushFailed(logger, batch.Count, ex);
                foreach (var write in batch)
                {
                    write.Fail(ex);
                }
            }
        }
        finally
        {
            StoreMetrics.RecordBatch(batch.Count, Stopwatch.GetElapsedTime(started), succeeded);
        }
    }

    private async Task FlushAloneAsync(TaskWrite write)
    {
        try
        {
            write.Complete((await ExecuteAsync([write]))[0], 1);
        }
#pragma warning disable CA1031 // See FlushAsync.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (IsRefusal(ex))
            {
                LogWriteRejected(logger, write.Operation, ex.Message);
                write.Fail(new TaskWriteRejectedException($"PostgreSQL refused the {write.Operation} write: {ex.Message}", ex));
            }
            else
            {
                LogFlushFailed(logger, 1, ex);
                write.Fail(ex);
            }
        }
    }

    /// <summary>Runs the statements as one batch, one implicit transaction: every statement commits, or none does.</summary>
    private async Task<object?[]?[]> ExecuteAsync(List<TaskWrite> batch)
    {
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        await using var command = new NpgsqlBatch(connection);
        foreach (var write in batch)
        {
            var statement = new NpgsqlBatchCommand(write.Sql);
            statement.Parameters.AddRange(write.Parameters);
            command.BatchCommands.Add(statement);
        }
        try
        {
            var rows = new object?[]?[batch.Count];
            await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
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
            return rows;
        }
        finally
        {
            // A parameter belongs to one statement at a time; a write of a failed batch runs again alone.
            foreach (var statement in command.BatchCommands)
            {
                statement.Parameters.Clear();
            }
        }
    }

    /// <summary>
    /// What a statement carries is the problem: PostgreSQL refused its data (SQLSTATE class 22, a data
    /// exception; 23, an integrity violation; 54, a limit exceeded), or a parameter could not even be
    /// encoded (a lone surrogate in a text). Anything else (a lost connection, an exhausted pool, a
    /// timeout, a server shutting down, a missing table) is the system's: it fails every write alike,
    /// and the writers retry.
    /// </summary>
    private static bool IsRefusal(Exception ex) => ex switch
    {
        PostgresException { SqlState: var state } => state.StartsWith("22", StringComparison.Ordinal)
            || state.StartsWith("23", StringComparison.Ordinal) || state.StartsWith("54", StringComparison.Ordinal),
        ArgumentException or InvalidCastException or OverflowException or FormatException => true,
        InvalidOperationException { InnerException: { } inner } => IsRefusal(inner),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Count} task state changes; the writers are told and retry.")]
    private static partial void LogFlushFailed(ILogger logger, int count, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL refused a {Operation} write for what it carries; only that write fails: {Reason}")]
    private static partial void LogWriteRejected(ILogger logger, string operation, string reason);
}
