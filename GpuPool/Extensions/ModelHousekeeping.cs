using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Neutrino.Embeddings;

namespace Neutrino.GpuPool.Extensions;

/// <summary>
/// Loads the models configured to load at start-up (the pool reports ready once they are), then
/// unloads idle ones from time to time.
/// </summary>
internal sealed partial class ModelHousekeeping(EmbeddingEngine engine, IOptions<EmbeddingOptions> options, TimeProvider time, ILogger<ModelHousekeeping> logger)
    : BackgroundService, IHealthCheck
{
    private volatile bool _preloaded;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_preloaded ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("loading models"));

    private static readonly TimeSpan Sweep = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wanted = options.Value.LoadAtStart;
        var names = wanted.Contains("*") ? engine.ListModels().Select(m => m.Name) : wanted;
        foreach (var name in names)
        {
            try
            {
                await Task.Run(() => engine.Preload(name), stoppingToken);
            }
            catch (EmbeddingException ex)
            {
                LogPreloadFailed(logger, name, ex.Message);
            }
        }
        _preloaded = true;
        using var timer = new PeriodicTimer(Sweep, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            engine.UnloadIdle();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not load model {Model} at start-up: {Reason}")]
    private static partial void LogPreloadFailed(ILogger logger, string model, string reason);
}
