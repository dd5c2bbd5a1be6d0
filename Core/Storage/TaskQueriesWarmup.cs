using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Neutrino.Core.Storage;

/// <summary>
/// Builds the EF Core model while the service starts, in the background, so that the first poll
/// or dashboard page does not pay for it (a second or more of CPU on a busy machine).
/// </summary>
public sealed class TaskQueriesWarmup(IDbContextFactory<TaskDbContext> contexts) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await using var db = await contexts.CreateDbContextAsync(stoppingToken);
        _ = db.Model;
        // Compiles the query pipeline too; no database round trip.
        _ = db.Tasks.AsNoTracking().Where(t => t.Id == Guid.Empty).ToQueryString();
    }
}
