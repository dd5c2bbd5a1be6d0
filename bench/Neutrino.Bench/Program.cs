using Neutrino.Bench;

// Measures, against a whole system on this machine, in one run: the ceilings of the engines underneath
// (pgbench's single-row inserts, JetStream's publish-and-ack), then the gateway's overhead on sync
// calls, the latency of a queued 202, end-to-end throughput of queued no-op tasks with what each costs
// each process, and embeddings (the raw model's ceiling, then /v1/embeddings with batching on and off).
// Prints a table.
//   dotnet run -c Release --project bench/Neutrino.Bench                 starts its own system
//   dotnet run -c Release --project bench/Neutrino.Bench -- --attach DIR  uses a running one (its data dir)
//   ... -- --only sync|queued|throughput|embeddings                        one part only
var attach = args.SkipWhile(a => a != "--attach").Skip(1).FirstOrDefault();
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
await using var target = attach is null ? await BenchTarget.StartAsync() : await BenchTarget.AttachAsync(attach);
var report = new Report();
report.Machine();
// Neutrino__TraceSampling and Neutrino__TraceRateLimit in this program's environment reach the AppHost it
// starts; the AppHost gives them to the services as Neutrino__Tracing__*, read here from the gateway (an
// attached system too).
var gateway = ProcessTree.Find("Neutrino.Gateway").FirstOrDefault();
string? GatewaySetting(string name) => gateway == 0 ? null : ProcessTree.Environment(gateway, name);
report.Add("traces (Neutrino:TraceSampling, Neutrino:TraceRateLimit)",
    (GatewaySetting("Neutrino__Tracing__SampleRatio"), GatewaySetting("Neutrino__Tracing__MaxTracesPerSecond")) switch
    {
        (null, null) => "OpenTelemetry's default (every request)",
        (var ratio, null or "0") => $"share {ratio ?? "1"}, no bound a second",
        (var ratio, var perSecond) => $"share {ratio ?? "1"}, at most {perSecond} new a second per service instance",
    });
if (target.Startup is { } startup)
{
    report.Add("dotnet run of the AppHost to everything healthy (warm)", $"{startup.TotalSeconds:0.0} s");
    report.Add("memory of the whole system when idle (PSS: AppHost, DCP, Aspire dashboard, servers, services)", $"{target.SystemMemoryBytes() / 1048576.0:0} MiB");
}
Report.Memory(report, "idle", Cost.ResidentPerProcess().GroupBy(p => p.Group).ToDictionary(g => g.Key, g => g.Max(p => p.Bytes)));

var pgbench = 0.0;
if (only is null or "queued" or "throughput")
{
    pgbench = await Ceilings.PostgresInsertsAsync(target, report);
    await Ceilings.JetStreamAsync(target, report);
}
if (only is null or "sync")
{
    await Latency.SyncAsync(target, report);
}
if (only is null or "queued")
{
    await Latency.QueuedAsync(target, report);
}
if (only is null or "throughput")
{
    foreach (var concurrency in new[] { 16, 64, 256 })
    {
        await Throughput.QueuedNoOpAsync(target, report, tasks: 6000, concurrency, pgbench, cost: concurrency == 64);
    }
    await Throughput.BatchedNoOpAsync(target, report, tasks: 12000, batch: 100, concurrency: 8, pgbench);
}

if (only is null or "embeddings")
{
    await Embeddings.RawCeilingAsync(target.ModelsDirectory, report);
    await Embeddings.ServingAsync(target, report, "batching on");
    if (attach is null)
    {
        // The same system with batching off, alone on the machine: each request runs the model by itself.
        await target.DisposeAsync();
        await using var unbatched = await BenchTarget.StartAsync(new Dictionary<string, string> { ["Neutrino__Embeddings__Batching"] = "false" });
        await Embeddings.ServingAsync(unbatched, report, "batching off");
    }
}

report.Print();
