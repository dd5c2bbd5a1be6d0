using Neutrino.Bench;

// Measures the gateway's overhead on sync calls, the latency of a queued 202, and end-to-end
// throughput of queued no-op tasks, against a whole system on this machine. Prints a table.
//   dotnet run -c Release --project bench/Neutrino.Bench                 starts its own system
//   dotnet run -c Release --project bench/Neutrino.Bench -- --attach DIR  uses a running one (its data dir)
var attach = args.SkipWhile(a => a != "--attach").Skip(1).FirstOrDefault();
await using var target = attach is null ? await BenchTarget.StartAsync() : await BenchTarget.AttachAsync(attach);
var report = new Report();
report.Machine();

await Latency.SyncAsync(target, report);
await Latency.QueuedAsync(target, report);
foreach (var concurrency in new[] { 16, 64, 256 })
{
    await Throughput.QueuedNoOpAsync(target, report, tasks: 6000, concurrency);
}

report.Print();
