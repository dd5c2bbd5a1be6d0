namespace Neutrino.Embeddings.Batching;

/// <summary>How inputs are cut into model runs, batched or not.</summary>
internal static class BatchPlan
{
    /// <summary>
    /// Consecutive runs of <paramref name="sorted"/> (ascending by length), each within
    /// <see cref="EmbeddingOptions.MaxBatchSize"/> and <see cref="EmbeddingOptions.MaxBatchTokens"/>
    /// (counted as inputs × the longest, which is what a padded batch computes on).
    /// </summary>
    public static IEnumerable<List<T>> Split<T>(IEnumerable<T> sorted, Func<T, int> length, EmbeddingOptions options)
    {
        var batch = new List<T>();
        foreach (var item in sorted)
        {
            // Sorted ascending, so this item is the longest so far.
            if (batch.Count > 0 && (batch.Count == options.MaxBatchSize || (batch.Count + 1) * length(item) > options.MaxBatchTokens))
            {
                yield return batch;
                batch = [];
            }
            batch.Add(item);
        }
        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}
