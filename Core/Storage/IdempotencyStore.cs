using Npgsql;
using NpgsqlTypes;

namespace Neutrino.Core.Storage;

/// <summary>
/// Binds an idempotency key to the first task created with it. The primary key makes concurrent
/// claims of one key serialise: exactly one wins, the others read the winner's task.
/// </summary>
public sealed class IdempotencyStore(NpgsqlDataSource dataSource)
{
    // An expired binding is taken over as if it were new; so is an abandoned one: its request was
    // never accepted and freeing the key failed too (the database went away).
    private const string ClaimSql = """
        INSERT INTO idempotency_keys (scope, task_id, request_hash, created_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (scope) DO UPDATE SET task_id = EXCLUDED.task_id, request_hash = EXCLUDED.request_hash,
                                          created_at = EXCLUDED.created_at, accepted_at = NULL
            WHERE idempotency_keys.created_at < $5
               OR (idempotency_keys.created_at < $6 AND idempotency_keys.accepted_at IS NULL)
        RETURNING task_id
        """;

    private const string ReadSql = "SELECT task_id, request_hash, accepted_at FROM idempotency_keys WHERE scope = $1";

    private const string AcceptSql = "UPDATE idempotency_keys SET accepted_at = $3 WHERE scope = $1 AND task_id = $2";

    private const string ReleaseSql = "DELETE FROM idempotency_keys WHERE scope = $1 AND task_id = $2";

    private const string ExpireSql = "DELETE FROM idempotency_keys WHERE created_at < $1";

    /// <param name="window">How long a key answers with its task.</param>
    /// <param name="abandonedAfter">
    /// How old a binding to a task that was never recorded must be before it is taken over: longer
    /// than any request may take to record its task.
    /// </param>
    public async Task<IdempotencyClaim> ClaimAsync(
        string scope, Guid taskId, string requestHash, DateTimeOffset now, TimeSpan window, TimeSpan abandonedAfter, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var claim = new NpgsqlCommand(ClaimSql, connection))
        {
            claim.Parameters.Add(new() { Value = scope, NpgsqlDbType = NpgsqlDbType.Text });
            claim.Parameters.Add(new() { Value = taskId, NpgsqlDbType = NpgsqlDbType.Uuid });
            claim.Parameters.Add(new() { Value = requestHash, NpgsqlDbType = NpgsqlDbType.Text });
            claim.Parameters.Add(new() { Value = now.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
            claim.Parameters.Add(new() { Value = (now - window).ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
            claim.Parameters.Add(new() { Value = (now - abandonedAfter).ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
            if (await claim.ExecuteScalarAsync(cancellationToken) is Guid)
            {
                return new IdempotencyClaim(true, taskId, requestHash, Accepted: false);
            }
        }
        await using var read = new NpgsqlCommand(ReadSql, connection) { Parameters = { new() { Value = scope, NpgsqlDbType = NpgsqlDbType.Text } } };
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            // Released between the two statements: the caller may simply try again.
            throw new InvalidOperationException("The idempotency key was released while being claimed.");
        }
        return new IdempotencyClaim(false, reader.GetGuid(0), reader.GetString(1), !reader.IsDBNull(2));
    }

    /// <summary>The request that claimed the key was accepted: from now on a repeat is answered with its task.</summary>
    public async Task AcceptAsync(string scope, Guid taskId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(AcceptSql);
        command.Parameters.Add(new() { Value = scope, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = taskId, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new() { Value = now.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whether the request that holds the key for <paramref name="taskId"/> has been accepted; null when the key no longer names it.</summary>
    public async Task<bool?> IsAcceptedAsync(string scope, Guid taskId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ReadSql);
        command.Parameters.Add(new() { Value = scope, NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) && reader.GetGuid(0) == taskId ? !reader.IsDBNull(2) : null;
    }

    /// <summary>Frees a key whose request was not accepted, so that the caller's retry with it goes through.</summary>
    public async Task ReleaseAsync(string scope, Guid taskId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ReleaseSql);
        command.Parameters.Add(new() { Value = scope, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = taskId, NpgsqlDbType = NpgsqlDbType.Uuid });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> ExpireAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ExpireSql);
        command.Parameters.Add(new() { Value = before.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
