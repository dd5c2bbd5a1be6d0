using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

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
        report.Add("gateway cost on sync p50 (via gateway - direct)", Report.Ms(viaGateway.P50 - toPool.P50), "<= 0.5 ms");

        // Throughput: 32 callers at once, through the gateway against the fast pool's own address (DCP's proxy over both replicas).
        var gatewayRate = await SyncRateAsync(target.Client);
        var directRate = await SyncRateAsync(throughProxy);
        report.Add("sync echo, 32 callers: via gateway / direct to the fast pool",
            string.Create(CultureInfo.InvariantCulture, $"{gatewayRate:0}/s / {directRate:0}/s ({gatewayRate / directRate:0.00} of direct)"), ">= 0.50 of direct");
    }

    private static async Task<double> SyncRateAsync(HttpClient client, int requests = 6000, int callers = 32)
    {
        var payload = Encoding.UTF8.GetBytes("""{"args":{"n":1}}""");
        var next = 0;
        var started = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= requests)
            {
                using var content = new ByteArrayContent(payload);
                using var response = await client.PostAsync("/api/echo", content);
                await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"POST /api/echo answered {(int)response.StatusCode}");
                }
            }
        }));
        return requests / started.Elapsed.TotalSeconds;
    }

    public static async Task QueuedAsync(BenchTarget target, Report report)
    {
        var accepted = await MeasureAsync(target.Client, "sleep", """{"args":{"ms":0}}""", HttpStatusCode.Accepted);
        report.Add("queued 202 p50 / p99, one caller", $"{Report.Ms(accepted.P50)} / {Report.Ms(accepted.P99)}");
        var open = await OpenLoopAsync(target.Client, perSecond: 1000, seconds: 10);
        report.Add("queued 202 p50 / p99, open loop at 1,000 submits/s", $"{Report.Ms(open.P50)} / {Report.Ms(open.P99)}", "p99 <= 5 ms");
        var roundTrip = await RoundTripAsync(target.Client, samples: 1000);
        report.Add("queued no-op submit to completion seen by a long poll, p50 / p99", $"{Report.Ms(roundTrip.P50)} / {Report.Ms(roundTrip.P99)}", "p50 <= 5 ms");
    }

    /// <summary>
    /// Submits at a fixed rate whatever the answers do (open loop): each latency counts from when its
    /// request was due, so a stall shows in every request it delays, not only in the one it hit.
    /// </summary>
    private static async Task<(double P50, double P99)> OpenLoopAsync(HttpClient client, int perSecond, int seconds)
    {
        var payload = Encoding.UTF8.GetBytes("""{"args":{"ms":0}}""");
        var total = perSecond * seconds;
        var samples = new double[total];
        var inFlight = new List<Task>(total);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = started + (long)(i * (double)Stopwatch.Frequency / perSecond);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }
            var index = i;
            inFlight.Add(Task.Run(async () =>
            {
                using var content = new ByteArrayContent(payload);
                using var response = await client.PostAsync("/api/sleep", content);
                await response.Content.ReadAsByteArrayAsync();
                samples[index] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"POST /api/sleep answered {(int)response.StatusCode}");
                }
            }));
        }
        await Task.WhenAll(inFlight);
        var sorted = samples.Skip(perSecond).ToList(); // the first second warms connections
        sorted.Sort();
        return (Report.Percentile(sorted, 0.50), Report.Percentile(sorted, 0.99));
    }

    /// <summary>One caller: submit a no-op task, then <c>GET /tasks/{id}?wait=10</c> until it answers the task completed.</summary>
    private static async Task<(double P50, double P99)> RoundTripAsync(HttpClient client, int samples)
    {
        var payload = Encoding.UTF8.GetBytes("""{"args":{"ms":0}}""");
        var measured = new List<double>(samples);
        for (var i = 0; i < samples + 100; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var content = new ByteArrayContent(payload);
            using var submitted = await client.PostAsync("/api/sleep", content);
            if (submitted.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"POST /api/sleep answered {(int)submitted.StatusCode}");
            }
            using var accepted = JsonDocument.Parse(await submitted.Content.ReadAsByteArrayAsync());
            var id = accepted.RootElement.GetProperty("task_id").GetString();
            string? status;
            do
            {
                using var polled = await client.GetAsync($"/tasks/{id}?wait=10");
                using var view = JsonDocument.Parse(await polled.Content.ReadAsByteArrayAsync());
                status = view.RootElement.GetProperty("status").GetString();
            }
            while (status is "queued" or "running");
            if (status != "completed")
            {
                throw new InvalidOperationException($"task {id} ended {status}");
            }
            if (i >= 100)
            {
                measured.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        measured.Sort();
        return (Report.Percentile(measured, 0.50), Report.Percentile(measured, 0.99));
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
