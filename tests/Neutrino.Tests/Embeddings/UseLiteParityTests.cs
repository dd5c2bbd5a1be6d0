using Microsoft.Extensions.Logging.Abstractions;
using Neutrino.Embeddings;
using Neutrino.Embeddings.Models;
using Neutrino.Embeddings.Runtime;
using Neutrino.Embeddings.Tokenization;

namespace Neutrino.Tests.Embeddings;

/// <summary>
/// The imported default model against the reference outputs of the original (its TensorFlow.js
/// graph in its own runtime): token ids exactly equal, embeddings within 1e-5 per component.
/// </summary>
[Collection(DefaultModelCollection.Name)]
public sealed class UseLiteParityTests(DefaultModelFixture model) : IDisposable
{
    private const float Tolerance = 1e-5f;
    private static readonly string[] Sentences = ["The cat sits on the mat.", "A cat is sitting on a rug.", "Quarterly revenue grew by ten percent."];
    private readonly EmbeddingModel _model = EmbeddingModel.Load(
        model.ModelDirectory, ModelManifest.Read(model.ModelDirectory), new SessionFactory(new EmbeddingOptions(), NullLogger.Instance));

    public void Dispose() => _model.Dispose();

    [Fact]
    public void The_tokenizer_reproduces_every_reference_token_id()
    {
        using var vocabulary = File.OpenRead(Path.Combine(model.ModelDirectory, "vocab.json"));
        var tokenizer = UnigramPieceTokenizer.FromJson(vocabulary);

        Assert.All(ReferenceSentence.All, s => Assert.Equal(s.TokenIds, tokenizer.EncodeToIds(s.Text)));
    }

    [Fact]
    public void The_tokenizer_matches_the_original_on_its_corner_cases()
    {
        // Ids from the original tokenizer (the JavaScript of @energetic-ai/embeddings 0.2.0, run in
        // Node.js): ':' pieces with null scores, runs of spaces, unknown characters, NFKC forms, ties.
        using var vocabulary = File.OpenRead(Path.Combine(model.ModelDirectory, "vocab.json"));
        var tokenizer = UnigramPieceTokenizer.FromJson(vocabulary);
        var cases = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Embeddings", "Data", "use-lite-tokenizer-extra.json")))!.AsArray();

        Assert.All(cases, c => Assert.Equal(
            c!["token_ids"]!.AsArray().Select(v => v!.GetValue<int>()),
            tokenizer.EncodeToIds(c["text"]!.GetValue<string>())));
    }

    [Fact]
    public void The_imported_model_reproduces_every_reference_embedding_in_one_batch()
    {
        var vectors = _model.Run([.. ReferenceSentence.All.Select(s => s.TokenIds)]);

        for (var i = 0; i < vectors.Length; i++)
        {
            AssertClose(ReferenceSentence.All[i], vectors[i]);
        }
    }

    [Fact]
    public void The_imported_model_reproduces_every_reference_embedding_one_sentence_at_a_time()
    {
        foreach (var sentence in ReferenceSentence.All)
        {
            AssertClose(sentence, _model.Run([_model.Tokenize(sentence.Text)])[0]);
        }
    }

    [Fact]
    public void Paraphrases_score_far_above_unrelated_sentences()
    {
        var vectors = _model.Run([.. Sentences.Select(_model.Tokenize)]);

        var paraphrase = Dot(vectors[0], vectors[1]);
        var unrelated = Dot(vectors[0], vectors[2]);
        Assert.True(paraphrase > unrelated + 0.3, $"paraphrase {paraphrase:0.000}, unrelated {unrelated:0.000}");
    }

    private static void AssertClose(ReferenceSentence expected, float[] actual)
    {
        Assert.Equal(expected.Embedding.Length, actual.Length);
        var worst = expected.Embedding.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= Tolerance, $"'{expected.Text}': a component differs by {worst:E2}");
    }

    internal static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
}
