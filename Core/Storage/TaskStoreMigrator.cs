using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Neutrino.Core.Storage;

/// <summary>
/// Applies the EF Core migrations at start-up, before the service takes traffic. Every service
/// that uses the store runs it; a PostgreSQL advisory lock makes the first one apply them and the
/// others wait and find nothing left to do.
/// </summary>
internal sealed partial class TaskStoreMigrator(
    NpgsqlDataSource dataSource,
    IDbContextFactory<TaskDbContext> contexts,
    TaskStoreReadiness readiness,
    TimeProvider time,
    ILogger<TaskStoreMigrator> logger) : IHostedService
{
    private const long LockKey = 0x4E65757472696E6F; // "Neutrino"
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MigrateAsync(cancellationToken);
                readiness.MarkReady();
                return;
            }
            catch (NpgsqlException ex) when (time.GetElapsedTime(started) < GiveUpAfter)
            {
                // PostgreSQL may still be starting: a service started alongside it waits rather than dying.
                LogRetrying(logger, attempt, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), time, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({LockKey})", connection))
        {
            await take.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            // On a fresh database EF would otherwise log a failed query of its history table as an error.
            await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                LogApplying(logger, pending.Count, pending[^1]);
                await db.Database.MigrateAsync(cancellationToken);
            }
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} task store migrations, up to {Latest}")]
    private static partial void LogApplying(ILogger logger, int count, string latest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task store not reachable yet (attempt {Attempt}): {Reason}")]
    private static partial void LogRetrying(ILogger logger, int attempt, string reason);
}
