using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Neutrino.Core.Workers;

/// <summary>A pool is ready once its tasks are in the catalog.</summary>
internal sealed class CatalogReadiness : IHealthCheck
{
    private volatile bool _published;

    public void MarkPublished() => _published = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_published ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The pool's tasks are not in the catalog yet."));
}
