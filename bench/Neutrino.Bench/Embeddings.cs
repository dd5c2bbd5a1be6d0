using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Neutrino.Bench;

/// <summary>
/// The default embedding model: the raw ONNX Runtime ceiling at batch sizes 1–128, then
/// <c>/v1/embeddings</c> through the gateway with 1, 8, 32 and 128 concurrent clients, each
/// sending one sentence at a time, with dynamic batching on and off.
/// </summary>
internal static class Embeddings
{
    private const string DefaultModelName = "use-lite";
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(6);


    /// <summary>
    /// The raw model's ceiling, on both ONNX Runtime builds: the CUDA build the gpu pool links (its CPU
    /// provider here) and the CPU-only one. Each runs in a process of its own, built by
    /// <c>bench/Neutrino.Bench.Onnx</c> with that build's package, the way the engine runs the model.
    /// </summary>
    public static async Task RawCeilingAsync(string modelsDirectory, Report report)
    {
        foreach (var (build, label) in new[] { ("Cuda", "CUDA build, CPU provider"), ("Cpu", "CPU-only build") })
        {
            var rows = await RawOnnx.RunAsync(build, modelsDirectory);
            if (build == "Cuda")
            {
                report.Add("embeddings: tokens per sentence (mean)", rows.TokensPerSentence.ToString("0.0", CultureInfo.InvariantCulture));
                Ceiling32 = rows.PerSecond[32];
            }
            foreach (var (size, perSecond) in rows.PerSecond)
            {
                report.Add($"embeddings: raw ONNX Runtime ({label}), batch {size}, {rows.Layout}", $"{perSecond:0} sentences/s");
            }
        }
    }

    /// <summary>Sentences per second of the raw model at batch 32: what 32 concurrent clients are measured against.</summary>
    public static double Ceiling32 { get; private set; }

    public static async Task ServingAsync(BenchTarget target, Report report, string label)
    {
        foreach (var clients in new[] { 1, 8, 32, 128 })
        {
            var (perSecond, p50, p99) = await ClientsAsync(target, target.Gateway, clients);
            var goal = (clients, label) switch
            {
                (1, "batching on") => "p50 <= 5 ms",
                (32, "batching on") => ">= 80% of raw batch 32",
                _ => "",
            };
            report.Add($"/v1/embeddings, {label}, {clients} clients", $"{perSecond:0}/s{OfCeiling(perSecond)}, p50 {Report.Ms(p50)}, p99 {Report.Ms(p99)}", goal);
        }
        // The same load sent to the gpu pool itself: the serving engine without the gateway's hop,
        // whose CPU here comes out of the same two cores as the model's.
        var (direct, directP50, directP99) = await ClientsAsync(target, target.GpuPool, 32);
        report.Add($"/v1/embeddings direct to the gpu pool, {label}, 32 clients", $"{direct:0}/s{OfCeiling(direct)}, p50 {Report.Ms(directP50)}, p99 {Report.Ms(directP99)}", "");
    }

    private static string OfCeiling(double perSecond) => Ceiling32 > 0 ? $" ({perSecond / Ceiling32:P0} of raw batch 32)" : "";

    private static async Task<(double PerSecond, double P50, double P99)> ClientsAsync(BenchTarget target, Uri server, int clients)
    {
        using var client = target.CreateClient(server);
        var bodies = BenchSentences.All.Select(s => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { input = s, model = DefaultModelName }))).ToArray();
        var latencies = new List<double>[clients];
        var measuring = false;
        var stop = false;
        var tasks = Enumerable.Range(0, clients).Select(async c =>
        {
            latencies[c] = [];
            for (var i = c; !Volatile.Read(ref stop); i++)
            {
                using var content = new ByteArrayContent(bodies[i % bodies.Length]);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                var started = Stopwatch.GetTimestamp();
                using var response = await client.PostAsync("/v1/embeddings", content);
                await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"/v1/embeddings answered {(int)response.StatusCode}");
                }
                if (Volatile.Read(ref measuring))
                {
                    latencies[c].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }).ToList();
        await Task.Delay(Warmup);
        Volatile.Write(ref measuring, true);
        var window = Stopwatch.StartNew();
        await Task.Delay(Measure);
        Volatile.Write(ref measuring, false);
        var elapsed = window.Elapsed;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(tasks);
        var all = latencies.SelectMany(l => l).Order().ToList();
        return (all.Count / elapsed.TotalSeconds, Report.Percentile(all, 0.50), Report.Percentile(all, 0.99));
    }
}
