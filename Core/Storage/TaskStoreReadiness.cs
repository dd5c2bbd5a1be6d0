using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Neutrino.Core.Storage;

/// <summary>Readiness: unhealthy until the schema is migrated, then a live query per check.</summary>
internal sealed class TaskStoreReadiness(Npgsql.NpgsqlDataSource dataSource) : IHealthCheck
{
    private volatile bool _ready;

    public void MarkReady() => _ready = true;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!_ready)
        {
            return HealthCheckResult.Unhealthy("The task store schema is not migrated yet.");
        }
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Npgsql.NpgsqlException ex)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is not reachable.", ex);
        }
    }
}
