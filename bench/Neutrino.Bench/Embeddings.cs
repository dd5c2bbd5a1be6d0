using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Neutrino.Embeddings;
using Neutrino.Embeddings.Models;
using Neutrino.Embeddings.Runtime;

namespace Neutrino.Bench;

/// <summary>
/// The default embedding model: the raw ONNX Runtime ceiling at batch sizes 1–128, then
/// <c>/v1/embeddings</c> through the gateway with 1, 8, 32 and 128 concurrent clients, each
/// sending one sentence at a time, with dynamic batching on and off.
/// </summary>
internal static class Embeddings
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(6);

    // Everyday sentences, about 17 tokens each on average, like the reference set.
    private static readonly string[] Sentences =
    [
        "The cat sits on the mat and watches the birds outside the window.",
        "Stock markets fell sharply today after the central bank raised interest rates.",
        "I love reading books in the evening with a cup of tea.",
        "A dog barks at the mailman every single morning without fail.",
        "The weather will be sunny and warm for the rest of the week.",
        "Quantum computers use qubits that can be in several states at once.",
        "She plays the violin beautifully in the city orchestra.",
        "Traffic was heavy on the highway because of an accident near the bridge.",
        "Please send me the quarterly report before Friday afternoon.",
        "The new phone has a better camera and a longer battery life.",
        "Children were playing football in the park after school.",
        "How do I reset my password if I no longer have access to my email?",
        "The restaurant on the corner serves the best pizza in town.",
        "Scientists discovered a new species of frog in the rainforest.",
        "Our flight was delayed by three hours due to the storm.",
        "He fixed the bicycle tire with a patch and some glue.",
    ];

    /// <summary>
    /// The model run the way the engine runs it (its default configuration: one batch per core side
    /// by side, each single-threaded), with nothing else in the way: sentences per second.
    /// </summary>
    public static async Task RawCeilingAsync(string modelsDirectory, Report report)
    {
        var directory = Path.Combine(modelsDirectory, DefaultModel.Name);
        var options = new EmbeddingOptions();
        var parallel = options.EffectiveConcurrentBatches;
        using var model = EmbeddingModel.Load(directory, ModelManifest.Read(directory), new SessionFactory(options, NullLogger.Instance));
        var tokens = Sentences.Select(model.Tokenize).ToArray();
        report.Add("embeddings: tokens per sentence (mean)", tokens.Average(t => t.Length).ToString("0.0", CultureInfo.InvariantCulture));
        foreach (var size in new[] { 1, 2, 4, 8, 16, 32, 64, 128 })
        {
            var batch = Enumerable.Range(0, size).Select(i => tokens[i % tokens.Length]).ToArray();
            var perSecond = (await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(() =>
            {
                Repeat(() => model.Run(batch), Warmup);
                var (runs, elapsed) = Repeat(() => model.Run(batch), Measure / 2);
                return runs * size / elapsed.TotalSeconds;
            })))).Sum();
            report.Add($"embeddings: raw ONNX Runtime, batch {size} ({parallel} side by side, {options.EffectiveIntraOpThreads} thread each)", $"{perSecond:0} sentences/s");
            if (size == 32)
            {
                Ceiling32 = perSecond;
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
        var bodies = Sentences.Select(s => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { input = s, model = DefaultModel.Name }))).ToArray();
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

    private static (int Runs, TimeSpan Elapsed) Repeat(Action action, TimeSpan duration)
    {
        var watch = Stopwatch.StartNew();
        var runs = 0;
        while (watch.Elapsed < duration)
        {
            action();
            runs++;
        }
        return (runs, watch.Elapsed);
    }
}
