using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Neutrino.Core.Storage;

/// <summary>
/// Brings the task store's database to the schema of this build: creates the database if the
/// server lacks it, then applies the EF Core migrations. The system's one migration step (the
/// AppHost's <c>migrations</c> resource, a Job on Kubernetes); services wait for it. A PostgreSQL
/// advisory lock makes two runs at once safe: the second finds nothing left to do.
/// </summary>
public sealed partial class TaskStoreMigrator(
    NpgsqlDataSource dataSource,
    IDbContextFactory<TaskDbContext> contexts,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<TaskStoreMigrator> logger)
{
    private const long LockKey = 0x4E65757472696E6F; // "Neutrino"
    private const string InvalidCatalogName = "3D000";
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MigrateUnderLockAsync(cancellationToken);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == InvalidCatalogName)
            {
                await CreateDatabaseAsync(cancellationToken);
            }
            catch (NpgsqlException ex) when (time.GetElapsedTime(started) < GiveUpAfter)
            {
                // PostgreSQL may still be starting.
                LogRetrying(logger, attempt, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), time, cancellationToken);
            }
        }
    }

    private async Task MigrateUnderLockAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({LockKey})", connection))
        {
            await take.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            // The usual case, every start after the first: this build's latest migration is there, and
            // EF need not build its model to say so (a second of CPU, while the services wait).
            // Migrations here are one line, each after the one before, so the latest implies the rest.
            if (await TaskStoreSchema.HasLatestMigrationAsync(connection, cancellationToken))
            {
                LogCurrent(logger, TaskStoreSchema.LatestMigration);
                return;
            }
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            // On a fresh database EF would otherwise log a failed query of its history table as an error.
            await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count == 0)
            {
                LogCurrent(logger, TaskStoreSchema.LatestMigration);
                return;
            }
            LogApplying(logger, pending.Count, pending[^1]);
            await db.Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Connects to the server's maintenance database with the same credentials and creates the task store's.</summary>
    private async Task CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(TaskStoreSchema.ConnectionName));
        var database = target.Database ?? throw new InvalidOperationException(
            $"The connection string '{TaskStoreSchema.ConnectionName}' names no database.");
        var maintenance = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        try
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
            LogCreated(logger, database);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another migrator made it first.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} task store migrations, up to {Latest}")]
    private static partial void LogApplying(ILogger logger, int count, string latest);

    [LoggerMessage(Level = LogLevel.Information, Message = "The task store schema is current ({Latest})")]
    private static partial void LogCurrent(ILogger logger, string latest);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created database {Database}")]
    private static partial void LogCreated(ILogger logger, string database);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task store not reachable yet (attempt {Attempt}): {Reason}")]
    private static partial void LogRetrying(ILogger logger, int attempt, string reason);
}
