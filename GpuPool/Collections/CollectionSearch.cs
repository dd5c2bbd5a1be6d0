using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Numerics.Tensors;
using Microsoft.Extensions.Options;
using Neutrino.Embeddings;

namespace Neutrino.GpuPool.Collections;

/// <summary>Bound from <c>Neutrino:Collections</c>.</summary>
internal sealed class CollectionOptions
{
    public const string Section = "Neutrino:Collections";

    /// <summary>Memory for the vectors of searched collections kept between searches; the least recently searched go first.</summary>
    [Range(0, long.MaxValue)]
    public long MaxIndexBytes { get; set; } = 1L << 30;

    /// <summary>The most results one search may ask for.</summary>
    [Range(1, 10_000)]
    public int MaxTopK { get; set; } = 100;
}

/// <summary>A search hit: a chunk and its cosine similarity to the query.</summary>
internal sealed record SearchHit(StoredChunk Chunk, float Score);

internal sealed record SearchResults(string Model, IReadOnlyList<SearchHit> Hits, int PromptTokens);

/// <summary>
/// Nearest chunks of a collection to a query, by cosine similarity over every vector (exact, not
/// approximate). A collection's vectors are read once and kept, normalised, in one block per
/// collection; each search first reads the collection's version, so a write made through any
/// replica is seen by the next search everywhere.
/// </summary>
internal sealed class CollectionSearch(CollectionStore store, EmbeddingEngine engine, IOptions<CollectionOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Tenant, string Name), Index> _indexes = new();
    private readonly ConcurrentDictionary<(string Tenant, string Name), SemaphoreSlim> _loading = new();

    /// <returns>Null when the tenant has no such collection.</returns>
    public async Task<SearchResults?> SearchAsync(string tenant, string collection, string query, int topK, IReadOnlySet<string>? documentIds, CancellationToken cancellationToken)
    {
        var head = await store.HeadAsync(tenant, collection, cancellationToken);
        if (head is null)
        {
            Forget(tenant, collection);
            return null;
        }
        var (model, version) = head.Value;
        var embedded = await engine.EmbedAsync(EmbeddingInput.FromTexts([query]) with { Name = "query" }, model, null, cancellationToken);
        var index = await CurrentIndexAsync(tenant, collection, version, cancellationToken);
        if (index is null)
        {
            return null; // dropped meanwhile
        }
        var queryVector = embedded.Vectors[0];
        Normalize(queryVector);
        var best = index.Nearest(queryVector, topK, documentIds);
        var chunks = await store.GetChunksAsync(tenant, collection, [.. best.Select(b => (index.DocumentIds[b.Row], index.Chunks[b.Row]))], cancellationToken);
        var scores = best.ToDictionary(b => (index.DocumentIds[b.Row], index.Chunks[b.Row]), b => b.Score);
        return new SearchResults(model, [.. chunks.Select(c => new SearchHit(c, scores[(c.DocumentId, c.Chunk)]))], embedded.PromptTokens);
    }

    /// <summary>Forgets a collection's vectors (it was dropped).</summary>
    public void Forget(string tenant, string collection)
    {
        _indexes.TryRemove((tenant, collection), out _);
        _loading.TryRemove((tenant, collection), out _);
    }

    /// <summary>The collection's vectors at <paramref name="version"/> or later, from memory when they are there.</summary>
    private async Task<Index?> CurrentIndexAsync(string tenant, string collection, long version, CancellationToken cancellationToken)
    {
        var key = (tenant, collection);
        if (_indexes.TryGetValue(key, out var cached) && cached.Version >= version)
        {
            cached.LastUsed = time.GetTimestamp();
            return cached;
        }
        // One load per collection at a time; searches that wait for it use what it read.
        var gate = _loading.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (_indexes.TryGetValue(key, out cached) && cached.Version >= version)
            {
                cached.LastUsed = time.GetTimestamp();
                return cached;
            }
            var vectors = await store.LoadVectorsAsync(tenant, collection, cancellationToken);
            if (vectors is null)
            {
                _indexes.TryRemove(key, out _);
                return null;
            }
            var index = new Index(vectors) { LastUsed = time.GetTimestamp() };
            _indexes[key] = index;
            Trim(key);
            return index;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Drops the least recently searched indexes, never <paramref name="keep"/>, until they fit the budget.</summary>
    private void Trim((string, string) keep)
    {
        var budget = options.Value.MaxIndexBytes;
        var held = _indexes.Sum(i => i.Value.Bytes);
        foreach (var (key, index) in _indexes.Where(i => i.Key != keep).OrderBy(i => i.Value.LastUsed).ToList())
        {
            if (held <= budget)
            {
                break;
            }
            if (_indexes.TryRemove(KeyValuePair.Create(key, index)))
            {
                held -= index.Bytes;
            }
        }
    }

    private static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }

    /// <summary>A collection's vectors at one version, normalised, row after row in one block.</summary>
    private sealed class Index
    {
        private readonly float[] _block;
        private readonly int _dimensions;

        public Index(CollectionVectors vectors)
        {
            Version = vectors.Version;
            DocumentIds = vectors.DocumentIds;
            Chunks = vectors.Chunks;
            _dimensions = vectors.Dimensions;
            _block = new float[vectors.Embeddings.Length * _dimensions];
            for (var row = 0; row < vectors.Embeddings.Length; row++)
            {
                var target = _block.AsSpan(row * _dimensions, _dimensions);
                vectors.Embeddings[row].AsSpan(0, _dimensions).CopyTo(target);
                Normalize(target);
            }
        }

        public long Version { get; }

        public string[] DocumentIds { get; }

        public int[] Chunks { get; }

        public long LastUsed { get; set; }

        public long Bytes => (_block.Length * sizeof(float)) + (DocumentIds.Length * 64L);

        /// <summary>The <paramref name="count"/> rows most similar to the query, best first.</summary>
        public List<(int Row, float Score)> Nearest(float[] query, int count, IReadOnlySet<string>? documentIds)
        {
            var heap = new PriorityQueue<int, float>(count + 1); // the worst kept result on top
            for (var row = 0; row < DocumentIds.Length; row++)
            {
                if (documentIds is not null && !documentIds.Contains(DocumentIds[row]))
                {
                    continue;
                }
                var score = TensorPrimitives.Dot(query, _block.AsSpan(row * _dimensions, _dimensions));
                if (heap.Count < count)
                {
                    heap.Enqueue(row, score);
                }
                else if (heap.TryPeek(out _, out var worst) && score > worst)
                {
                    heap.EnqueueDequeue(row, score);
                }
            }
            var best = new List<(int Row, float Score)>(heap.Count);
            while (heap.TryDequeue(out var row, out var score))
            {
                best.Add((row, score));
            }
            best.Reverse();
            return best;
        }
    }
}
