using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Neutrino.Core.Storage;

/// <summary>
/// Readiness: unhealthy until the database has this build's latest migration (the migrations step
/// has run), then healthy for good; Aspire's PostgreSQL check reports whether it is reachable.
/// </summary>
internal sealed class TaskStoreReadiness(NpgsqlDataSource dataSource) : IHealthCheck
{
    private volatile bool _migrated;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_migrated)
        {
            return HealthCheckResult.Healthy();
        }
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            _migrated = await TaskStoreSchema.HasLatestMigrationAsync(connection, cancellationToken);
            return _migrated
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"The task store is not migrated to {TaskStoreSchema.LatestMigration} yet: the migrations step has not finished.");
        }
        catch (NpgsqlException ex)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is not reachable.", ex);
        }
    }
}
