using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Neutrino.AppHost.Hosting;

namespace Neutrino.Tests.Unit;

public sealed class StartupProbeTests
{
    [Fact]
    public async Task A_check_that_has_not_passed_yet_asks_again_until_it_does_within_one_run()
    {
        var answers = new Queue<HealthStatus>([HealthStatus.Unhealthy, HealthStatus.Unhealthy, HealthStatus.Unhealthy, HealthStatus.Healthy]);
        var (health, probes) = Start(answers);

        var report = await health.CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal(4, probes());
    }

    [Fact]
    public async Task A_check_that_passed_reports_a_failure_on_its_first_probe()
    {
        var answers = new Queue<HealthStatus>([HealthStatus.Healthy, HealthStatus.Unhealthy, HealthStatus.Unhealthy, HealthStatus.Healthy]);
        var (health, probes) = Start(answers);

        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);
        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync()).Status);
        Assert.Equal(2, probes());
        // Failed last time: the next run polls again, and sees the recovery.
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);
        Assert.Equal(4, probes());
    }

    private static (HealthCheckService Health, Func<int> Probes) Start(Queue<HealthStatus> answers)
    {
        var probes = 0;
        var services = new ServiceCollection().AddLogging();
        services.AddHealthChecks().AddCheck("probe", () =>
        {
            Interlocked.Increment(ref probes);
            return new HealthCheckResult(answers.Dequeue());
        });
        services.AddStartupProbe("probe");
        return (services.BuildServiceProvider().GetRequiredService<HealthCheckService>(), () => Volatile.Read(ref probes));
    }
}
