using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Neutrino.Embeddings.Batching;
using Neutrino.Embeddings.Chunking;
using Neutrino.Embeddings.Models;
using Neutrino.Embeddings.Runtime;

namespace Neutrino.Embeddings;

/// <summary>What to embed: texts, or token ids a client already has (OpenAI's token-array input).</summary>
public sealed record EmbeddingInput
{
    private EmbeddingInput(IReadOnlyList<string>? texts, IReadOnlyList<int[]>? tokens)
    {
        Texts = texts;
        Tokens = tokens;
    }

    public IReadOnlyList<string>? Texts { get; }

    public IReadOnlyList<int[]>? Tokens { get; }

    public int Count => Texts?.Count ?? Tokens!.Count;

    /// <summary>What the caller calls this input, for error messages and <see cref="EmbeddingException.Parameter"/>: <c>input</c> in OpenAI's API.</summary>
    public string Name { get; init; } = "input";

    public static EmbeddingInput FromTexts(IReadOnlyList<string> texts) => new(texts, null);

    public static EmbeddingInput FromTokens(IReadOnlyList<int[]> tokens) => new(null, tokens);
}

/// <summary>The vectors, in input order, and the tokens the model read.</summary>
public sealed record EmbeddingResult(string Model, IReadOnlyList<float[]> Vectors, int PromptTokens);

/// <summary>
/// The embedding engine: validates and tokenizes inputs, batches them per model (see
/// <see cref="ModelBatcher"/>) and returns vectors. Also an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>,
/// so .NET code can use it through Microsoft.Extensions.AI.
/// </summary>
public sealed class EmbeddingEngine : IEmbeddingGenerator<string, Embedding<float>>, IAsyncDisposable
{
    /// <summary>The meter of the engine's metrics: batch size, queue wait, inference time, tokens.</summary>
    public const string MeterName = EmbeddingMetrics.MeterName;

    private readonly EmbeddingOptions _options;
    private readonly ModelPool _pool;
    private readonly EmbeddingMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ModelBatcher> _batchers = new(StringComparer.Ordinal);

    public EmbeddingEngine(IOptions<EmbeddingOptions> options, IMeterFactory meters, TimeProvider time, ILogger<EmbeddingEngine> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _metrics = new EmbeddingMetrics(meters, time);
        _pool = new ModelPool(_options, new SessionFactory(_options, logger), time, logger);
    }

    public EmbeddingOptions Options => _options;

    public IReadOnlyList<ModelInfo> ListModels() => _pool.List();

    /// <summary>Loads a model now rather than on its first request.</summary>
    public void Preload(string model)
    {
        using var lease = _pool.Acquire(model);
    }

    /// <summary>What each model did over the last minute: batches, inputs and tokens per second, and the queue wait.</summary>
    public IReadOnlyList<ModelActivity> RecentActivity() => _metrics.Recent.Snapshot();

    /// <summary>Queued inputs per model, waiting for a batch now.</summary>
    public IReadOnlyDictionary<string, int> QueuedInputs() => _batchers.ToDictionary(b => b.Key, b => b.Value.Queued, StringComparer.Ordinal);

    /// <summary>Unloads models idle for longer than configured.</summary>
    public void UnloadIdle() => _pool.UnloadIdle();

    /// <summary>
    /// Cuts a document into chunks of at most <paramref name="size"/> of the model's tokens (by default
    /// as many as it reads), overlapping by up to <paramref name="overlap"/> tokens (by default a
    /// quarter of the size). See <see cref="TextChunker"/>.
    /// </summary>
    public IReadOnlyList<TextChunk> Chunk(string text, string? model, int? size, int? overlap)
    {
        ArgumentNullException.ThrowIfNull(text);
        var name = ModelOrDefault(model);
        using var lease = _pool.Acquire(name);
        var embedding = lease.Model;
        var limit = embedding.Manifest.MaxTokens - embedding.AddedTokens;
        var chunkSize = size ?? limit;
        if (chunkSize < 1 || chunkSize > limit)
        {
            throw Invalid($"'chunk_size' must be between 1 and {limit} tokens for model '{name}', which reads at most {embedding.Manifest.MaxTokens}; got {chunkSize}.", "chunk_size");
        }
        var chunkOverlap = overlap ?? chunkSize / 4;
        if (chunkOverlap < 0 || chunkOverlap >= chunkSize)
        {
            throw Invalid($"'chunk_overlap' must be at least 0 and less than 'chunk_size' ({chunkSize}); got {chunkOverlap}.", "chunk_overlap");
        }
        return TextChunker.Split(text, chunkSize, chunkOverlap, piece => embedding.Tokenize(piece).Length - embedding.AddedTokens);
    }

    public async Task<EmbeddingResult> EmbedAsync(EmbeddingInput input, string? model, int? dimensions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var name = ModelOrDefault(model);
        if (input.Count == 0)
        {
            throw Invalid($"'{input.Name}' must not be empty.", input.Name);
        }
        if (input.Count > _options.MaxInputsPerRequest)
        {
            throw Invalid($"'{input.Name}' has {input.Count} items; at most {_options.MaxInputsPerRequest} are allowed per request.", input.Name);
        }

        int[][] ids;
        int dimensionsOut;
        using (var lease = _pool.Acquire(name))
        {
            var embedding = lease.Model;
            dimensionsOut = dimensions ?? embedding.Manifest.Dimensions;
            if (dimensionsOut < 1 || dimensionsOut > embedding.Manifest.Dimensions)
            {
                throw Invalid($"'dimensions' must be between 1 and {embedding.Manifest.Dimensions} for model '{name}'; got {dimensionsOut}.", "dimensions");
            }
            ids = Tokenize(embedding, input);
        }

        var vectors = _options.Batching
            ? await _batchers.GetOrAdd(name, static (n, engine) => engine.NewBatcher(n), this).EmbedAsync(ids, cancellationToken)
            : RunUnbatched(name, ids);
        if (dimensionsOut < vectors[0].Length)
        {
            for (var i = 0; i < vectors.Length; i++)
            {
                vectors[i] = Shorten(vectors[i], dimensionsOut);
            }
        }
        return new EmbeddingResult(name, vectors, ids.Sum(i => i.Length));
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = await EmbedAsync(EmbeddingInput.FromTexts([.. values]), options?.ModelId, options?.Dimensions, cancellationToken);
        var created = _time.GetUtcNow();
        return new GeneratedEmbeddings<Embedding<float>>(result.Vectors.Select(v => new Embedding<float>(v) { ModelId = result.Model, CreatedAt = created }))
        {
            Usage = new UsageDetails { InputTokenCount = result.PromptTokens, TotalTokenCount = result.PromptTokens },
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }
        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            var defaultModel = ListModels().FirstOrDefault(m => m.Name == _options.DefaultModel);
            return new EmbeddingGeneratorMetadata("neutrino", null, _options.DefaultModel, defaultModel?.Dimensions);
        }
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var batcher in _batchers.Values)
        {
            await batcher.DisposeAsync();
        }
        _pool.Dispose();
    }

    void IDisposable.Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private int[][] Tokenize(EmbeddingModel model, EmbeddingInput input)
    {
        var ids = new int[input.Count][];
        for (var i = 0; i < ids.Length; i++)
        {
            var whole = true;
            if (input.Texts is { } texts)
            {
                if (string.IsNullOrEmpty(texts[i]))
                {
                    throw Invalid($"'{input.Name}[{i}]' is an empty string; every input must have text.", input.Name);
                }
                ids[i] = TokenizeBounded(model, texts[i], out whole);
            }
            else
            {
                ids[i] = input.Tokens![i];
                if (ids[i].Length == 0)
                {
                    throw Invalid($"'{input.Name}[{i}]' is an empty array of tokens.", input.Name);
                }
                foreach (var id in ids[i])
                {
                    if (!model.IsValidTokenId(id))
                    {
                        throw Invalid($"'{input.Name}[{i}]' holds token {id}, which is not in the vocabulary of model '{model.Manifest.Name}'.", input.Name);
                    }
                }
            }
            if (ids[i].Length == 0)
            {
                throw Invalid($"'{input.Name}[{i}]' has no tokens.", input.Name);
            }
            if (ids[i].Length > model.Manifest.MaxTokens)
            {
                if (!_options.TruncateLongInputs)
                {
                    throw new EmbeddingException(EmbeddingErrorKind.InvalidRequest,
                        $"'{input.Name}[{i}]' has {(whole ? "" : "more than ")}{ids[i].Length} tokens; model '{model.Manifest.Name}' reads at most {model.Manifest.MaxTokens}.", input.Name, "context_length_exceeded");
                }
                ids[i] = model.Truncate(ids[i]);
            }
        }
        return ids;
    }

    /// <summary>
    /// The tokens of a text, but never more of the text tokenized than its first tokens need: a prefix
    /// ending at white space (so its tokens are the text's first ones) is read, doubled while it holds no
    /// more than the model reads. A 16 MiB input costs what its first few thousand characters cost.
    /// <paramref name="whole"/> is false when only a prefix was read, already over the model's limit.
    /// </summary>
    internal static int[] TokenizeBounded(EmbeddingModel model, string text, out bool whole)
    {
        var max = model.Manifest.MaxTokens;
        for (var length = Math.Max(max, 1) * 8; ; length *= 2)
        {
            if (length >= text.Length)
            {
                whole = true;
                return model.Tokenize(text);
            }
            var cut = text.AsSpan(0, length).LastIndexOfAny(WhiteSpace);
            var ids = model.Tokenize(text[..(cut > 0 ? cut : length)]);
            if (ids.Length > max)
            {
                whole = false;
                return ids;
            }
        }
    }

    private static readonly System.Buffers.SearchValues<char> WhiteSpace = System.Buffers.SearchValues.Create(" \t\n\r\f\v\u00a0\u2028\u2029\u3000");

    private string ModelOrDefault(string? model) => string.IsNullOrEmpty(model) ? _options.DefaultModel : model;

    private ModelBatcher NewBatcher(string name) => new(name, () => _pool.Acquire(name), _options, _metrics, _time, _logger);

    /// <summary>The request's own inputs only, in runs under the same limits as batches, so a large request cannot run as one huge batch.</summary>
    private float[][] RunUnbatched(string name, int[][] ids)
    {
        using var lease = _pool.Acquire(name);
        var vectors = new float[ids.Length][];
        var order = Enumerable.Range(0, ids.Length).OrderBy(i => ids[i].Length);
        foreach (var run in BatchPlan.Split(order, i => ids[i].Length, _options))
        {
            var started = _time.GetTimestamp();
            var results = lease.Model.Run([.. run.Select(i => ids[i])]);
            _metrics.RecordBatch(name, run.Count, run.Sum(i => (long)ids[i].Length), _time.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.Zero);
            for (var k = 0; k < run.Count; k++)
            {
                vectors[run[k]] = results[k];
            }
        }
        return vectors;
    }

    /// <summary>The first <paramref name="dimensions"/> components, normalised again (as OpenAI's <c>dimensions</c> does).</summary>
    private static float[] Shorten(float[] vector, int dimensions)
    {
        var shortened = vector[..dimensions];
        var norm = Math.Sqrt(shortened.Sum(v => (double)v * v));
        if (norm > 0)
        {
            for (var d = 0; d < shortened.Length; d++)
            {
                shortened[d] = (float)(shortened[d] / norm);
            }
        }
        return shortened;
    }

    private static EmbeddingException Invalid(string message, string parameter) => new(EmbeddingErrorKind.InvalidRequest, message, parameter);
}
