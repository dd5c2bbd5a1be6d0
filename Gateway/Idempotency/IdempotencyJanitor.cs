using Microsoft.Extensions.Options;
using Neutrino.Core.Storage;
using Neutrino.Gateway.Extensions;

namespace Neutrino.Gateway.Idempotency;

/// <summary>Deletes idempotency keys past their window. Any gateway may do it; the delete is idempotent.</summary>
internal sealed partial class IdempotencyJanitor(
    IdempotencyStore store,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<IdempotencyJanitor> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var expired = await store.ExpireAsync(time.GetUtcNow() - options.Value.IdempotencyWindow, stoppingToken);
                LogExpired(logger, expired);
            }
            catch (Npgsql.NpgsqlException ex)
            {
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Expired {Count} idempotency keys")]
    private static partial void LogExpired(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not expire idempotency keys; trying again later")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
