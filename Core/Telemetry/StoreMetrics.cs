using System.Diagnostics.Metrics;

namespace Neutrino.Core.Telemetry;

/// <summary>The task store's group commit: how many state writes share a round trip and a commit, and how long one takes.</summary>
public static class StoreMetrics
{
    private static readonly Histogram<int> BatchSize = NeutrinoTelemetry.Meter.CreateHistogram(
        "neutrino.store.batch.size", "{statement}", "State writes committed together in one group commit.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });

    private static readonly Histogram<double> BatchDuration = NeutrinoTelemetry.Meter.CreateHistogram(
        "neutrino.store.batch.duration", "s", "One group commit: the round trip and the commit.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5] });

    private static readonly Counter<long> FailedBatches = NeutrinoTelemetry.Meter.CreateCounter<long>(
        "neutrino.store.batch.failures", "{batch}", "Group commits that failed (their writers are told and retry).");

    public static void RecordBatch(int statements, TimeSpan duration, bool succeeded)
    {
        BatchSize.Record(statements);
        BatchDuration.Record(duration.TotalSeconds);
        if (!succeeded)
        {
            FailedBatches.Add(1);
        }
    }
}
