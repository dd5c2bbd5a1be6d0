using Microsoft.Extensions.Options;
using Neutrino.Core.Storage;

namespace Neutrino.Gateway.Auth;

/// <summary>
/// Records the bootstrap key as the first admin, then reads the keys every refresh interval, so a key
/// made or revoked on any gateway takes effect on every one within seconds; with them the tenants'
/// quotas and queued counts; and records when keys were last used.
/// </summary>
internal sealed partial class ApiKeyRefresher(
    ApiKeys keys,
    TenantQuotas quotas,
    ApiKeyStore store,
    IOptions<ApiKeyOptions> options,
    TimeProvider time,
    ILogger<ApiKeyRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recorded = false;
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        do
        {
            try
            {
                if (!recorded)
                {
                    await store.EnsureAsync("bootstrap", options.Value.BootstrapTenant, ApiKeyStore.AdminRole, keys.BootstrapHash, stoppingToken);
                    recorded = true;
                }
                var active = await store.ActiveAsync(stoppingToken);
                keys.Load(active, bootstrapRevoked: !active.Any(k => k.Id == keys.BootstrapId));
                quotas.Load(await store.TenantsAsync(stoppingToken), await store.QueuedByTenantAsync(stoppingToken));
                await store.TouchAsync(keys.TakeUsed(), stoppingToken);
            }
#pragma warning disable CA1031 // Whatever the store says, the loop goes on: it is what makes revocations take effect.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                // The keys read last stay in force until the store answers again.
                LogRefreshFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the API keys; the ones read last stay in force: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}
