using System.Collections.Concurrent;

namespace Neutrino.Embeddings.Runtime;

/// <summary>What one model did over the last <see cref="WindowSeconds"/>: its rates and how long inputs waited for a batch.</summary>
public sealed record ModelActivity(
    string Model,
    double WindowSeconds,
    long Batches,
    long Inputs,
    long Tokens,
    double BatchesPerSecond,
    double InputsPerSecond,
    double TokensPerSecond,
    double? MeanQueueWaitMs,
    double? MaxQueueWaitMs);

/// <summary>
/// The engine's last minute per model, in twelve 5 s buckets: what an operator's page shows beside the
/// meter's histograms (which need a metrics backend to read). One lock per model, taken once per batch.
/// </summary>
internal sealed class EmbeddingActivity(TimeProvider time)
{
    private const int Buckets = 12;
    private static readonly TimeSpan BucketLength = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Window> _models = new(StringComparer.Ordinal);

    public void Record(string model, int inputs, long tokens, TimeSpan waitSum, TimeSpan waitMax) =>
        _models.GetOrAdd(model, static _ => new Window()).Add(Slot(), inputs, tokens, waitSum, waitMax);

    /// <summary>Every model that ran a batch in the window, with its numbers over the whole window.</summary>
    public IReadOnlyList<ModelActivity> Snapshot()
    {
        var now = Slot();
        var seconds = Buckets * BucketLength.TotalSeconds;
        return [.. _models.Select(m => m.Value.Read(m.Key, now, seconds)).OfType<ModelActivity>().OrderBy(a => a.Model, StringComparer.Ordinal)];
    }

    private long Slot() => time.GetUtcNow().Ticks / BucketLength.Ticks;

    private sealed class Window
    {
        private readonly Lock _lock = new();
        private readonly Bucket[] _buckets = new Bucket[Buckets];

        public void Add(long slot, int inputs, long tokens, TimeSpan waitSum, TimeSpan waitMax)
        {
            lock (_lock)
            {
                ref var bucket = ref _buckets[slot % Buckets];
                if (bucket.Slot != slot)
                {
                    bucket = new Bucket { Slot = slot };
                }
                bucket.Batches++;
                bucket.Inputs += inputs;
                bucket.Tokens += tokens;
                bucket.WaitTicks += waitSum.Ticks;
                bucket.MaxWaitTicks = Math.Max(bucket.MaxWaitTicks, waitMax.Ticks);
            }
        }

        public ModelActivity? Read(string model, long now, double seconds)
        {
            long batches = 0, inputs = 0, tokens = 0, waitTicks = 0, maxWait = 0;
            lock (_lock)
            {
                foreach (var b in _buckets)
                {
                    if (b.Batches > 0 && now - b.Slot < Buckets)
                    {
                        (batches, inputs, tokens, waitTicks) = (batches + b.Batches, inputs + b.Inputs, tokens + b.Tokens, waitTicks + b.WaitTicks);
                        maxWait = Math.Max(maxWait, b.MaxWaitTicks);
                    }
                }
            }
            return batches == 0
                ? null
                : new ModelActivity(model, seconds, batches, inputs, tokens, batches / seconds, inputs / seconds, tokens / seconds,
                    TimeSpan.FromTicks(waitTicks / inputs).TotalMilliseconds, TimeSpan.FromTicks(maxWait).TotalMilliseconds);
        }
    }

    private struct Bucket
    {
        public long Slot;
        public long Batches;
        public long Inputs;
        public long Tokens;
        public long WaitTicks;
        public long MaxWaitTicks;
    }
}
