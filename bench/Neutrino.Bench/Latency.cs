using System.Diagnostics;
using System.Net;
using System.Text;

namespace Neutrino.Bench;

/// <summary>One caller, one request at a time: what a single request costs.</summary>
internal static class Latency
{
    private const int Warmup = 1000;
    private const int Samples = 5000;

    public static async Task SyncAsync(BenchTarget target, Report report)
    {
        using var throughProxy = target.CreateClient(target.FastPool);
        using var direct = target.CreateClient(BenchTarget.FastPoolProcess());
        var viaGateway = await MeasureAsync(target.Client, "echo", """{"args":{"n":1}}""", HttpStatusCode.OK);
        var toProxy = await MeasureAsync(throughProxy, "echo", """{"args":{"n":1}}""", HttpStatusCode.OK);
        var toPool = await MeasureAsync(direct, "echo", """{"args":{"n":1}}""", HttpStatusCode.OK);
        report.Add("sync echo via gateway p50 / p99", $"{Report.Ms(viaGateway.P50)} / {Report.Ms(viaGateway.P99)}");
        report.Add("sync echo via DCP's proxy to the fast pool p50 / p99", $"{Report.Ms(toProxy.P50)} / {Report.Ms(toProxy.P99)}");
        report.Add("sync echo direct to a fast pool process p50 / p99", $"{Report.Ms(toPool.P50)} / {Report.Ms(toPool.P99)}");
        report.Add("gateway cost on sync p50 (via gateway - direct)", Report.Ms(viaGateway.P50 - toPool.P50), "<= 1 ms");
    }

    public static async Task QueuedAsync(BenchTarget target, Report report)
    {
        var accepted = await MeasureAsync(target.Client, "sleep", """{"args":{"ms":0}}""", HttpStatusCode.Accepted);
        report.Add("queued 202 p50 / p99", $"{Report.Ms(accepted.P50)} / {Report.Ms(accepted.P99)}", "p99 <= 10 ms");
    }

    private static async Task<(double P50, double P99)> MeasureAsync(HttpClient client, string task, string body, HttpStatusCode expected)
    {
        var payload = Encoding.UTF8.GetBytes(body);
        var samples = new List<double>(Samples);
        for (var i = 0; i < Warmup + Samples; i++)
        {
            using var content = new ByteArrayContent(payload);
            var started = Stopwatch.GetTimestamp();
            using var response = await client.PostAsync($"/api/{task}", content);
            await response.Content.ReadAsByteArrayAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode != expected)
            {
                throw new InvalidOperationException($"POST /api/{task} answered {(int)response.StatusCode}");
            }
            if (i >= Warmup)
            {
                samples.Add(elapsed);
            }
        }
        samples.Sort();
        return (Report.Percentile(samples, 0.50), Report.Percentile(samples, 0.99));
    }
}
