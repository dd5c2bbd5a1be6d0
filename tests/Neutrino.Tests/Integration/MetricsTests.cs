using System.Text.RegularExpressions;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>What the services' meters record, read as Prometheus scrapes it from <c>/metrics</c>.</summary>
[Collection(SystemCollection.Name)]
public sealed partial class MetricsTests(SystemFixture fixture)
{
    [Fact]
    public async Task A_queued_task_is_counted_where_it_is_submitted_and_where_it_runs_with_its_wait_duration_and_group_commits()
    {
        using var client = fixture.System.CreateClient();
        var id = await client.SubmitAsync("sleep", """{"args":{"ms":1}}""");
        Assert.Equal("completed", (await client.WaitForTerminalAsync(id)).Status());

        // Counters only grow, so the figures of other tests' tasks do not matter: these are there and above zero.
        var gateway = await ScrapeAsync(fixture.System.Gateway);
        Assert.True(Value(gateway, "neutrino_tasks_submitted_total", "sleep", "async") >= 1, "the gateway counted no submitted sleep task");
        Assert.True(Value(gateway, "neutrino_store_batch_size_count") >= 1, "the gateway's group commits recorded no batch");

        var worker = await ScrapeAsync(fixture.System.ServiceUrl("asyncpool"));
        Assert.True(Value(worker, "neutrino_tasks_started_total", "sleep", "async") >= 1, "the async pool counted no started sleep task");
        Assert.True(Value(worker, "neutrino_tasks_completed_total", "sleep", "async") >= 1, "the async pool counted no completed sleep task");
        Assert.True(Value(worker, "neutrino_tasks_queue_wait_seconds_count", "sleep", "async") >= 1, "no queue wait was recorded");
        Assert.True(Value(worker, "neutrino_tasks_duration_seconds_count", "sleep", "async") >= 1, "no run duration was recorded");
    }

    [Fact]
    public async Task The_gateway_reports_each_queue_depth_as_KEDA_reads_it()
    {
        using var client = fixture.System.CreateClient();
        Assert.Equal("completed", (await client.WaitForTerminalAsync(await client.SubmitAsync("sleep", """{"args":{"ms":1}}"""))).Status());

        // The gauges are read every few seconds: wait (bounded) for a reading of the async pool's consumers.
        var text = await Eventually.ReadAsync(
            () => ScrapeAsync(fixture.System.Gateway), PendingLine().IsMatch, TimeSpan.FromSeconds(30),
            "neutrino_queue_pending for the async pool");
        Assert.Matches("""neutrino_queue_ack_pending\{[^}]*pool="async"[^}]*priority="normal"[^}]*\} \d+""", text);
        Assert.Matches("""neutrino_queue_dead_letters\{[^}]*pool="async"[^}]*\} \d+""", text);
    }

    private static async Task<string> ScrapeAsync(Uri service)
    {
        using var http = new HttpClient { BaseAddress = service };
        return await http.GetStringAsync("/metrics");
    }

    /// <summary>The sum of a metric's samples, over those with the given task and pool labels when given.</summary>
    private static double Value(string text, string metric, string? task = null, string? pool = null) =>
        text.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(line => task is null || line.Contains($"task=\"{task}\"", StringComparison.Ordinal))
            .Where(line => pool is null || line.Contains($"pool=\"{pool}\"", StringComparison.Ordinal))
            .Sum(line => double.Parse(line.Split(' ')[^1].Trim(), System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex("""neutrino_queue_pending\{[^}]*pool="async"[^}]*priority="normal"[^}]*\} \d+""")]
    private static partial Regex PendingLine();
}
