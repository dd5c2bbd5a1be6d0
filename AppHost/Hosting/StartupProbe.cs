using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Neutrino.AppHost.Hosting;

/// <summary>
/// Kubernetes's startup probe for Aspire's health checks. Aspire checks a resource that is not healthy
/// yet after 1, 2, 3, 4 and then every 5 s, so a service ready just after a check is seen up to 5 s
/// late, and everything that waits for it (the migrations for PostgreSQL, the start-up summary for
/// every service) waits that long too. Wrapped here, a check that did not pass on its last run (or has
/// never run) asks again every <see cref="Period"/> for up to <see cref="Window"/> before it answers,
/// so readiness is seen within a period. A check that passed answers its first probe, so a service that stops
/// answering is reported at once, as before; only its recovery is polled for.
/// </summary>
internal static class StartupProbe
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    /// <summary>Makes the health check registered as <paramref name="name"/> a startup probe.</summary>
    public static IServiceCollection AddStartupProbe(this IServiceCollection services, string name) =>
        services.Configure<HealthCheckServiceOptions>(options =>
        {
            var registration = options.Registrations.Single(r => r.Name == name);
            var probe = registration.Factory;
            var eachProbe = registration.Timeout;
            var state = new State();
            registration.Factory = provider => new Check(probe(provider), eachProbe, state);
            // Aspire gives each check as long as it takes; the whole window plus the last probe at most.
            registration.Timeout = eachProbe == Timeout.InfiniteTimeSpan ? eachProbe : Window + eachProbe;
        });

    // The health check service makes a new check object for every run: what the last one found lives here.
    private sealed class State
    {
        public volatile bool Passed;
    }

    private sealed class Check(IHealthCheck probe, TimeSpan eachProbe, State state) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var started = Stopwatch.GetTimestamp();
            var passedLastTime = state.Passed;
            while (true)
            {
                var result = await ProbeAsync(context, cancellationToken);
                state.Passed = result.Status == HealthStatus.Healthy;
                if (state.Passed || passedLastTime || Stopwatch.GetElapsedTime(started) + Period >= Window)
                {
                    return result;
                }
                await Task.Delay(Period, cancellationToken);
            }
        }

        private async Task<HealthCheckResult> ProbeAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            using var probeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (eachProbe != Timeout.InfiniteTimeSpan)
            {
                probeTimeout.CancelAfter(eachProbe);
            }
            try
            {
                return await probe.CheckHealthAsync(context, probeTimeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, $"No answer within {eachProbe.TotalSeconds:0.#} s.");
            }
        }
    }
}
