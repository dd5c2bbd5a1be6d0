using Npgsql;
using NpgsqlTypes;

namespace Neutrino.Core.Storage;

/// <summary>
/// Removes finished tasks, with their history, once they are older than the retention period: a
/// small batch per statement, rows another transaction holds skipped, so it never blocks a write.
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
