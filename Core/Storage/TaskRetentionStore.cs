using Npgsql;
using NpgsqlTypes;

namespace Neutrino.Core.Storage;

/// <summary>
/// Removes finished tasks, with their history: those older than the retention period, and those a
/// delete by filter names. A small batch per statement, rows another transaction holds skipped, so it
/// never blocks a write.
/// </summary>
public sealed class TaskRetentionStore(NpgsqlDataSource dataSource)
{
    // Ids are UUIDv7, ordered by creation: the id bound walks the (status, id) index, and the completion
    // time decides. A task created before the cutoff that finished after it stays until its own time.
    private const string DeleteSql = """
        WITH gone AS (
            DELETE FROM tasks WHERE id IN (
                SELECT id FROM tasks
                WHERE status IN ('completed', 'failed', 'cancelled') AND id < $1 AND completed_at < $2
                LIMIT $3 FOR UPDATE SKIP LOCKED)
            RETURNING id),
        events AS (DELETE FROM task_events WHERE task_id IN (SELECT id FROM gone))
        SELECT count(*) FROM gone
        """;

    // Locked first, and the state checked again under the lock: a task retried since it was picked is queued
    // again, and stays.
    private const string DeleteIdsSql = """
        WITH doomed AS (
            SELECT id FROM tasks WHERE id = ANY($1) AND status IN ('completed', 'failed', 'cancelled') FOR UPDATE SKIP LOCKED),
        gone AS (DELETE FROM tasks WHERE id IN (SELECT id FROM doomed) RETURNING id),
        events AS (DELETE FROM task_events WHERE task_id IN (SELECT id FROM gone))
        SELECT count(*) FROM gone
        """;

    /// <summary>Deletes those of <paramref name="ids"/> that are finished, with their history; how many it deleted.</summary>
    public async Task<int> DeleteFinishedAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(DeleteIdsSql);
        command.Parameters.Add(new() { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Deletes at most <paramref name="batch"/> tasks finished before <paramref name="before"/>; how many it deleted.</summary>
    public async Task<int> DeleteFinishedAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(DeleteSql);
        command.Parameters.Add(new() { Value = FirstIdAt(before), NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new() { Value = before.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = batch, NpgsqlDbType = NpgsqlDbType.Integer });
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The smallest UUIDv7 of a millisecond: its first 48 bits are the Unix time in milliseconds.</summary>
    public static Guid FirstIdAt(DateTimeOffset time)
    {
        Span<byte> bytes = stackalloc byte[16];
        var ms = time.ToUnixTimeMilliseconds();
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)ms;
            ms >>= 8;
        }
        return new Guid(bytes, bigEndian: true);
    }
}
