using Microsoft.Extensions.Time.Testing;
using Neutrino.Embeddings.Runtime;

namespace Neutrino.Tests.Unit;

/// <summary>The engine's last minute per model, as the dashboard reads it.</summary>
public sealed class EmbeddingActivityTests
{
    [Fact]
    public void Rates_and_waits_are_over_the_last_minute_and_old_batches_drop_out()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        var activity = new EmbeddingActivity(time);

        activity.Record("use-lite", inputs: 30, tokens: 300, waitSum: TimeSpan.FromMilliseconds(60), waitMax: TimeSpan.FromMilliseconds(5));
        time.Advance(TimeSpan.FromSeconds(20));
        activity.Record("use-lite", inputs: 10, tokens: 100, waitSum: TimeSpan.FromMilliseconds(20), waitMax: TimeSpan.FromMilliseconds(9));
        activity.Record("other", inputs: 1, tokens: 4, waitSum: TimeSpan.Zero, waitMax: TimeSpan.Zero);

        var snapshot = activity.Snapshot();
        Assert.Equal(["other", "use-lite"], snapshot.Select(a => a.Model));
        var lite = snapshot[1];
        Assert.Equal((2, 40, 400), (lite.Batches, lite.Inputs, lite.Tokens));
        Assert.Equal(40 / lite.WindowSeconds, lite.InputsPerSecond, 6);
        Assert.Equal(2, lite.MeanQueueWaitMs!.Value, 6); // 80 ms over 40 inputs
        Assert.Equal(9, lite.MaxQueueWaitMs!.Value, 6);

        // 50 s later the first batch is out of the window, the second still in it.
        time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(10, activity.Snapshot().Single(a => a.Model == "use-lite").Inputs);
        // And a minute after the last batch, nothing is left.
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Empty(activity.Snapshot());
    }
}
