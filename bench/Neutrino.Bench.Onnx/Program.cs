using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Neutrino.Bench;
using Neutrino.Embeddings;
using Neutrino.Embeddings.Models;
using Neutrino.Embeddings.Runtime;

// The default model run the way the engine runs it (its default configuration: one batch per core
// side by side, each single-threaded), with nothing else in the way, on the ONNX Runtime build this
// program was built with (-p:OnnxRuntimeBuild=Cuda or Cpu). Prints sentences per second per batch size.
//   dotnet run -c Release --project bench/Neutrino.Bench.Onnx [-p:OnnxRuntimeBuild=Cpu] -- MODELS_DIRECTORY
var warmup = TimeSpan.FromSeconds(1);
var measure = TimeSpan.FromSeconds(3);
var directory = Path.Combine(args[0], DefaultModel.Name);
var options = new EmbeddingOptions();
var parallel = options.EffectiveConcurrentBatches;
using var model = EmbeddingModel.Load(directory, ModelManifest.Read(directory), new SessionFactory(options, NullLogger.Instance));
var tokens = BenchSentences.All.Select(model.Tokenize).ToArray();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tokens {tokens.Average(t => t.Length):0.0}"));
Console.WriteLine($"layout {parallel} side by side, {options.EffectiveIntraOpThreads} thread each");
foreach (var size in new[] { 1, 4, 16, 32, 64, 128 })
{
    var batch = Enumerable.Range(0, size).Select(i => tokens[i % tokens.Length]).ToArray();
    var perSecond = (await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(() =>
    {
        Repeat(() => model.Run(batch), warmup);
        var (runs, elapsed) = Repeat(() => model.Run(batch), measure);
        return runs * size / elapsed.TotalSeconds;
    })))).Sum();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch {size} {perSecond:0}"));
}

static (int Runs, TimeSpan Elapsed) Repeat(Action action, TimeSpan duration)
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
