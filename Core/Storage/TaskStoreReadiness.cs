using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Neutrino.Core.Storage;

/// <summary>
/// Readiness: unhealthy until the database has this build's latest migration (the migrations step
/// has run), then healthy for good; Aspire's PostgreSQL check reports whether it is reachable.
/// </summary>
internal sealed class TaskStoreReadiness(NpgsqlDataSource dataSource) : IHealthCheck
{
    private const string UndefinedTable = "42P01";
    private volatile bool _migrated;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_migrated)
        {
            return HealthCheckResult.Healthy();
        }
        try
        {
            await using var command = dataSource.CreateCommand("""SELECT EXISTS (SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = $1)""");
            command.Parameters.Add(new NpgsqlParameter { Value = TaskStoreSchema.LatestMigration });
            _migrated = await command.ExecuteScalarAsync(cancellationToken) is true;
            return _migrated
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"The task store is not migrated to {TaskStoreSchema.LatestMigration} yet.");
        }
        catch (PostgresException ex) when (ex.SqlState == UndefinedTable)
        {
            return HealthCheckResult.Unhealthy("The task store has no schema yet: the migrations have not run.");
        }
        catch (NpgsqlException ex)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is not reachable.", ex);
        }
    }
}
