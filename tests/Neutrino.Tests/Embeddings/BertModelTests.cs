using System.Diagnostics.Metrics;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Neutrino.Embeddings;
using Neutrino.Embeddings.Models;
using Neutrino.Embeddings.Onnx;

namespace Neutrino.Tests.Embeddings;

/// <summary>
/// The BERT-family path on a small BERT-shaped model the test writes (token and type embeddings,
/// masked, through tanh: <c>last_hidden_state</c> [batch, tokens, 8]) with BERT base uncased's real
/// WordPiece vocabulary, so every number it produces can be computed here by hand.
/// </summary>
public sealed class BertModelTests : IAsyncDisposable
{
    private const int Hidden = 8;
    private readonly string _models = Directory.CreateTempSubdirectory("neutrino-bert-").FullName;
    private readonly float[] _words;
    private readonly float[] _types;
    private readonly EmbeddingEngine _engine;

    public BertModelTests()
    {
        var vocabulary = Path.Combine(AppContext.BaseDirectory, "Embeddings", "Data", "bert-base-uncased-vocab.txt");
        var size = File.ReadLines(vocabulary).Count();
        var random = new Random(7);
        _words = [.. Enumerable.Range(0, size * Hidden).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        _types = [.. Enumerable.Range(0, 2 * Hidden).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        foreach (var pooling in new[] { Pooling.Mean, Pooling.Cls })
        {
            var directory = Path.Combine(_models, $"tiny-bert-{pooling.ToString().ToLowerInvariant()}");
            Directory.CreateDirectory(directory);
            File.Copy(vocabulary, Path.Combine(directory, "vocab.txt"));
            File.WriteAllBytes(Path.Combine(directory, "model.onnx"), BertShapedModel(size).ToByteArray());
            new ModelManifest
            {
                Name = Path.GetFileName(directory),
                Dimensions = Hidden,
                MaxTokens = 16,
                Architecture = ModelArchitecture.Bert,
                Pooling = pooling,
                Normalize = true,
                Output = "last_hidden_state",
                Tokenizer = TokenizerKind.WordPieceVocab,
                TokenizerFile = "vocab.txt",
            }.Write(directory);
        }
        // Room for one model at a time: the tests switch between the two.
        var options = new EmbeddingOptions { ModelsDirectory = _models, DefaultModel = "tiny-bert-mean", MaxLoadedModels = 1 };
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _engine = new EmbeddingEngine(Options.Create(options), services.GetRequiredService<IMeterFactory>(), TimeProvider.System, NullLogger<EmbeddingEngine>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync();
        Directory.Delete(_models, recursive: true);
    }

    [Fact]
    public async Task Text_is_tokenized_with_the_real_vocabulary_and_mean_pooled_under_the_mask()
    {
        var result = await _engine.EmbedAsync(EmbeddingInput.FromTexts(["Hello, World!"]), "tiny-bert-mean", null, CancellationToken.None);

        // [CLS] hello , world ! [SEP] in BERT base uncased.
        int[] ids = [101, 7592, 1010, 2088, 999, 102];
        Assert.Equal(ids.Length, result.PromptTokens);
        AssertClose(Normalize(Mean([.. ids.Select(State)])), result.Vectors[0]);
    }

    [Fact]
    public async Task Cls_pooling_takes_the_first_token()
    {
        var result = await _engine.EmbedAsync(EmbeddingInput.FromTexts(["Hello, World!"]), "tiny-bert-cls", null, CancellationToken.None);

        AssertClose(Normalize(State(101)), result.Vectors[0]);
    }

    [Fact]
    public async Task Padding_in_a_batch_does_not_change_any_vector()
    {
        string[] texts = ["hi", "a much longer sentence, padded against the short one", "medium length text"];
        var together = await _engine.EmbedAsync(EmbeddingInput.FromTexts(texts), null, null, CancellationToken.None);

        for (var i = 0; i < texts.Length; i++)
        {
            var alone = await _engine.EmbedAsync(EmbeddingInput.FromTexts([texts[i]]), null, null, CancellationToken.None);
            AssertClose(alone.Vectors[0], together.Vectors[i]);
        }
    }

    [Fact]
    public async Task A_cut_input_keeps_its_separator()
    {
        var result = await _engine.EmbedAsync(EmbeddingInput.FromTexts([string.Join(' ', Enumerable.Repeat("word", 40))]), null, null, CancellationToken.None);

        // 16 tokens: [CLS], fourteen times "word" (2773), [SEP].
        int[] ids = [101, .. Enumerable.Repeat(2773, 14), 102];
        Assert.Equal(16, result.PromptTokens);
        AssertClose(Normalize(Mean([.. ids.Select(State)])), result.Vectors[0]);
    }

    [Fact]
    public async Task Token_ids_can_be_given_directly()
    {
        var result = await _engine.EmbedAsync(EmbeddingInput.FromTokens([[101, 7592, 102]]), null, null, CancellationToken.None);

        AssertClose(Normalize(Mean([State(101), State(7592), State(102)])), result.Vectors[0]);
    }

    /// <summary>The graph: tanh(words[input_ids] + types[token_type_ids]) × attention_mask.</summary>
    private ModelProto BertShapedModel(int vocabularySize)
    {
        var graph = new OnnxGraphBuilder("tiny_bert");
        graph.AddInput("input_ids", OnnxType.Int64, -1, -1);
        graph.AddInput("attention_mask", OnnxType.Int64, -1, -1);
        graph.AddInput("token_type_ids", OnnxType.Int64, -1, -1);
        var words = graph.Float("words", _words, vocabularySize, Hidden);
        var types = graph.Float("types", _types, 2, Hidden);
        var sum = graph.Node1("Add", graph.Node1("Gather", words, "input_ids"), graph.Node1("Gather", types, "token_type_ids"));
        var mask = graph.Node("Cast", [graph.Node1("Unsqueeze", "attention_mask", graph.Int64s(-1))], attributes: OnnxGraphBuilder.Attr("to", (long)OnnxType.Float))[0];
        graph.Node("Mul", [graph.Node1("Tanh", sum), mask], outputNames: ["last_hidden_state"]);
        graph.AddOutput("last_hidden_state", OnnxType.Float, -1, -1, Hidden);
        return graph.ToModel("neutrino-tests", "a BERT-shaped test model");
    }

    private float[] State(int id) =>
        [.. Enumerable.Range(0, Hidden).Select(d => MathF.Tanh(_words[(id * Hidden) + d] + _types[d]))];

    private static float[] Mean(float[][] states) =>
        [.. Enumerable.Range(0, Hidden).Select(d => states.Average(s => s[d]))];

    private static float[] Normalize(float[] vector)
    {
        var norm = (float)Math.Sqrt(vector.Sum(v => (double)v * v));
        return [.. vector.Select(v => v / norm)];
    }

    private static void AssertClose(float[] expected, float[] actual) =>
        Assert.Equal(expected, actual, (e, a) => Math.Abs(e - a) < 1e-5);
}
