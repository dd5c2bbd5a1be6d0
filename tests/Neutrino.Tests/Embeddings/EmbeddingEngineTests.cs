using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Neutrino.Embeddings;
using Neutrino.Embeddings.Models;

namespace Neutrino.Tests.Embeddings;

/// <summary>The engine in process, on the default model: validation, batching, limits, and the Microsoft.Extensions.AI face.</summary>
[Collection(DefaultModelCollection.Name)]
public sealed class EmbeddingEngineTests(DefaultModelFixture model)
{
    private static readonly string[] Sentences =
    [
        "The cat sits on the mat.", "Stock markets fell sharply today.", "I love reading books in the evening.",
        "A dog barks at the mailman.", "The weather is sunny and warm.", "Quantum computers use qubits.",
        "She plays the violin beautifully.", "Traffic was heavy on the highway.",
    ];

    [Fact]
    public async Task Concurrent_requests_are_merged_into_batches_and_each_gets_its_own_vectors_in_order()
    {
        // One batch at a time and a generous wait: while the first request runs, the others gather.
        await using var engine = CreateEngine(o => (o.MaxBatchWait, o.ConcurrentBatches) = (TimeSpan.FromSeconds(1), 1));
        var alone = await AloneAsync(Sentences);
        using var batches = new BatchSizes();

        // Eight requests at once, each of two sentences in a different order.
        var requests = Enumerable.Range(0, Sentences.Length)
            .Select(i => new[] { Sentences[i], Sentences[(i + 3) % Sentences.Length] })
            .ToList();
        var results = await Task.WhenAll(requests.Select(texts => engine.EmbedAsync(EmbeddingInput.FromTexts(texts), null, null, CancellationToken.None)));

        Assert.Contains(batches.Sizes, size => size > 2); // inputs of more than one request ran together
        for (var r = 0; r < requests.Count; r++)
        {
            for (var i = 0; i < 2; i++)
            {
                AssertSameVector(alone[requests[r][i]], results[r].Vectors[i]);
            }
        }
    }

    [Fact]
    public async Task Without_batching_each_request_runs_alone_with_the_same_results()
    {
        await using var engine = CreateEngine(o => o.Batching = false);
        var alone = await AloneAsync(Sentences);
        using var batches = new BatchSizes();

        var results = await Task.WhenAll(Sentences.Select(s => engine.EmbedAsync(EmbeddingInput.FromTexts([s]), null, null, CancellationToken.None)));

        Assert.All(batches.Sizes, size => Assert.Equal(1, size));
        for (var i = 0; i < Sentences.Length; i++)
        {
            AssertSameVector(alone[Sentences[i]], results[i].Vectors[0]);
        }
    }

    [Fact]
    public async Task A_cancelled_request_is_removed_from_the_queue_before_it_runs()
    {
        await using var engine = CreateEngine(o => (o.MaxBatchWait, o.ConcurrentBatches) = (TimeSpan.FromSeconds(1), 1));
        using var batches = new BatchSizes();
        using var cancel = new CancellationTokenSource();

        // The request under way makes the next batch wait (the generous batch wait) for company, unless
        // it already runs; either way the cancelled request is still queued when it is cancelled.
        var underWay = engine.EmbedAsync(EmbeddingInput.FromTexts(["under way"]), null, null, CancellationToken.None);
        var cancelled = engine.EmbedAsync(EmbeddingInput.FromTexts(["never embedded", "nor this"]), null, null, cancel.Token);
        await cancel.CancelAsync();
        var kept = await engine.EmbedAsync(EmbeddingInput.FromTexts(["embedded"]), null, null, CancellationToken.None);
        await underWay;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Single(kept.Vectors);
        Assert.Equal(2, batches.Sizes.Sum()); // the one under way and the kept one; never the cancelled two
    }

    [Fact]
    public async Task Beyond_the_queue_bound_requests_are_refused_as_overloaded()
    {
        await using var engine = CreateEngine(o => o.MaxQueuedInputs = 4);

        var error = await Assert.ThrowsAsync<EmbeddingException>(() =>
            engine.EmbedAsync(EmbeddingInput.FromTexts(["a", "b", "c", "d", "e"]), null, null, CancellationToken.None));

        Assert.Equal(EmbeddingErrorKind.Overloaded, error.Kind);
    }

    [Theory]
    [InlineData("empty list", "'input' must not be empty.")]
    [InlineData("empty string", "'input[1]' is an empty string; every input must have text.")]
    [InlineData("too many", "'input' has 3 items; at most 2 are allowed per request.")]
    [InlineData("bad token", "'input[0]' holds token 8000, which is not in the vocabulary of model 'use-lite'.")]
    [InlineData("empty tokens", "'input[0]' is an empty array of tokens.")]
    [InlineData("dimensions", "'dimensions' must be between 1 and 512 for model 'use-lite'; got 513.")]
    public async Task Bad_requests_are_refused_with_what_is_wrong(string problem, string message)
    {
        await using var engine = CreateEngine(o => o.MaxInputsPerRequest = 2);
        var (input, dimensions) = problem switch
        {
            "empty list" => (EmbeddingInput.FromTexts([]), (int?)null),
            "empty string" => (EmbeddingInput.FromTexts(["fine", ""]), null),
            "too many" => (EmbeddingInput.FromTexts(["a", "b", "c"]), null),
            "bad token" => (EmbeddingInput.FromTokens([[30, 8000]]), null),
            "empty tokens" => (EmbeddingInput.FromTokens([[]]), null),
            _ => (EmbeddingInput.FromTexts(["fine"]), 513),
        };

        var error = await Assert.ThrowsAsync<EmbeddingException>(() => engine.EmbedAsync(input, null, dimensions, CancellationToken.None));

        Assert.Equal((EmbeddingErrorKind.InvalidRequest, message), (error.Kind, error.Message));
    }

    [Fact]
    public async Task An_unknown_model_is_not_found_and_the_message_lists_the_models()
    {
        await using var engine = CreateEngine();

        var error = await Assert.ThrowsAsync<EmbeddingException>(() => engine.EmbedAsync(EmbeddingInput.FromTexts(["x"]), "no-such-model", null, CancellationToken.None));

        Assert.Equal((EmbeddingErrorKind.ModelNotFound, "model", "model_not_found"), (error.Kind, error.Parameter, error.Code));
        Assert.Contains("use-lite", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_input_over_the_token_limit_is_cut_to_it_or_refused_as_configured()
    {
        var longText = string.Join(' ', Enumerable.Repeat("word", 200));
        await using (var truncating = CreateEngine())
        {
            var result = await truncating.EmbedAsync(EmbeddingInput.FromTexts([longText]), null, null, CancellationToken.None);
            Assert.Equal(128, result.PromptTokens);
        }
        await using var refusing = CreateEngine(o => o.TruncateLongInputs = false);

        var error = await Assert.ThrowsAsync<EmbeddingException>(() => refusing.EmbedAsync(EmbeddingInput.FromTexts([longText]), null, null, CancellationToken.None));

        Assert.Equal("context_length_exceeded", error.Code);
        Assert.Equal("'input[0]' has 200 tokens; model 'use-lite' reads at most 128.", error.Message);
    }

    [Fact]
    public async Task A_huge_input_is_read_only_as_far_as_the_model_reads_and_embeds_as_its_beginning_does()
    {
        // 16 MiB of text: only a prefix is tokenized, and the vector is that of its first 128 tokens.
        var words = string.Join(' ', Enumerable.Range(0, 300).Select(i => Sentences[i % Sentences.Length]));
        var huge = words + " " + new string('x', 16 << 20);
        await using var engine = CreateEngine();

        var cut = await engine.EmbedAsync(EmbeddingInput.FromTexts([huge]), null, null, CancellationToken.None);
        var beginning = await engine.EmbedAsync(EmbeddingInput.FromTexts([words]), null, null, CancellationToken.None);

        Assert.Equal((128, 128), (cut.PromptTokens, beginning.PromptTokens));
        Assert.Equal(beginning.Vectors[0], cut.Vectors[0]);

        await using var refusing = CreateEngine(o => o.TruncateLongInputs = false);
        var error = await Assert.ThrowsAsync<EmbeddingException>(() => refusing.EmbedAsync(EmbeddingInput.FromTexts([huge]), null, null, CancellationToken.None));
        Assert.StartsWith("'input[0]' has more than ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fewer_dimensions_are_the_leading_components_normalised_again()
    {
        await using var engine = CreateEngine();
        var full = (await engine.EmbedAsync(EmbeddingInput.FromTexts([Sentences[0]]), null, null, CancellationToken.None)).Vectors[0];

        var shortened = (await engine.EmbedAsync(EmbeddingInput.FromTexts([Sentences[0]]), null, 64, CancellationToken.None)).Vectors[0];

        Assert.Equal(64, shortened.Length);
        Assert.Equal(1.0, Math.Sqrt(shortened.Sum(v => (double)v * v)), 5);
        var scale = Math.Sqrt(full[..64].Sum(v => (double)v * v));
        Assert.All(Enumerable.Range(0, 64), d => Assert.Equal(full[d] / scale, shortened[d], 5));
    }

    [Fact]
    public async Task It_is_a_Microsoft_Extensions_AI_embedding_generator()
    {
        await using var engine = CreateEngine();
#pragma warning disable CA1859 // The point is to use it through the abstraction.
        IEmbeddingGenerator<string, Embedding<float>> generator = engine;
#pragma warning restore CA1859

        var embeddings = await generator.GenerateAsync(Sentences[..2]);
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.Equal(2, embeddings.Count);
        Assert.All(embeddings, e => Assert.Equal(("use-lite", 512), (e.ModelId, e.Vector.Length)));
        Assert.True(embeddings.Usage!.InputTokenCount > 0);
        Assert.Equal(("use-lite", 512), (metadata!.DefaultModelId, metadata.DefaultModelDimensions));
    }

    [Fact]
    public async Task The_models_directory_is_the_model_list()
    {
        await using var engine = CreateEngine();

        var models = engine.ListModels();

        var useLite = Assert.Single(models, m => m.Name == "use-lite");
        Assert.Equal((512, 128, "Apache-2.0"), (useLite.Dimensions, useLite.MaxTokens, useLite.License));
    }

    [Fact]
    public async Task A_long_document_is_cut_into_chunks_the_model_reads_whole()
    {
        await using var engine = CreateEngine(o => o.TruncateLongInputs = false); // a chunk over the limit would be refused
        var document = string.Join("\n\n", Enumerable.Range(0, 25).Select(i => string.Join(' ', Sentences.Skip(i % 4))));

        var chunks = engine.Chunk(document, null, null, null);
        var result = await engine.EmbedAsync(EmbeddingInput.FromTexts([.. chunks.Select(c => c.TextOf(document))]), null, null, CancellationToken.None);

        Assert.True(chunks.Count > 3, $"{chunks.Count} chunks");
        Assert.All(chunks, c => Assert.InRange(c.Tokens, 1, 128));
        Assert.Equal(chunks.Sum(c => c.Tokens), result.PromptTokens);
        Assert.Equal(document.Length, chunks[^1].Start + chunks[^1].Length);
    }

    [Theory]
    [InlineData(129, null, "chunk_size")]
    [InlineData(0, null, "chunk_size")]
    [InlineData(32, 32, "chunk_overlap")]
    [InlineData(32, -1, "chunk_overlap")]
    public async Task Chunk_sizes_the_model_cannot_take_are_refused_by_name(int size, int? overlap, string parameter)
    {
        await using var engine = CreateEngine();

        var refusal = Assert.Throws<EmbeddingException>(() => engine.Chunk("Some text.", null, size, overlap));

        Assert.Equal(parameter, refusal.Parameter);
        Assert.Contains($"'{parameter}'", refusal.Message, StringComparison.Ordinal);
    }

    private EmbeddingEngine CreateEngine(Action<EmbeddingOptions>? configure = null)
    {
        var options = new EmbeddingOptions { ModelsDirectory = Path.GetDirectoryName(model.ModelDirectory)! };
        configure?.Invoke(options);
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        return new EmbeddingEngine(Options.Create(options), services.GetRequiredService<IMeterFactory>(), TimeProvider.System, NullLogger<EmbeddingEngine>.Instance);
    }

    private async Task<Dictionary<string, float[]>> AloneAsync(string[] texts)
    {
        await using var engine = CreateEngine(o => o.Batching = false);
        var vectors = new Dictionary<string, float[]>();
        foreach (var text in texts)
        {
            vectors[text] = (await engine.EmbedAsync(EmbeddingInput.FromTexts([text]), null, null, CancellationToken.None)).Vectors[0];
        }
        return vectors;
    }

    [Fact]
    public async Task A_lone_request_to_an_idle_model_runs_at_once_without_waiting_for_company()
    {
        // A batch wait far longer than any test: were the request made to wait, it would hang here.
        await using var engine = CreateEngine(o => o.MaxBatchWait = TimeSpan.FromHours(1));

        var result = await engine.EmbedAsync(EmbeddingInput.FromTexts([Sentences[0]]), null, null, CancellationToken.None);

        Assert.Single(result.Vectors);
    }

    private static void AssertSameVector(float[] expected, float[] actual) =>
        Assert.True(expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max() < 1e-5, "a vector differs from the one computed alone");

    /// <summary>Records the batch sizes of the default model that the engines in this process report.</summary>
    private sealed class BatchSizes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<int> _sizes = [];

        public BatchSizes()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EmbeddingEngine.MeterName && instrument.Name == "neutrino.embeddings.batch.size")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            // Other tests' engines (other models) may run at the same time: only this model's batches count.
            _listener.SetMeasurementEventCallback<int>((_, size, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "model", Value: "use-lite" })
                    {
                        lock (_sizes)
                        {
                            _sizes.Add(size);
                        }
                    }
                }
            });
            _listener.Start();
        }

        public IReadOnlyList<int> Sizes
        {
            get
            {
                lock (_sizes)
                {
                    return [.. _sizes];
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
