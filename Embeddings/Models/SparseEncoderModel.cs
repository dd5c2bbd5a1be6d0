using Microsoft.ML.OnnxRuntime;
using Neutrino.Embeddings.Runtime;
using Neutrino.Embeddings.Tokenization;

namespace Neutrino.Embeddings.Models;

/// <summary>
/// Universal Sentence Encoder lite: the batch goes in sparse, as (row, position) pairs and piece
/// ids, so no padding is computed; one L2-normalised vector per row comes out.
/// </summary>
internal sealed class SparseEncoderModel : EmbeddingModel
{
    private readonly UnigramPieceTokenizer _tokenizer;

    public SparseEncoderModel(string directory, ModelManifest manifest, SessionFactory sessions)
        : base(directory, manifest, sessions)
    {
        using var vocabulary = File.OpenRead(Path.Combine(directory, manifest.TokenizerFile));
        _tokenizer = UnigramPieceTokenizer.FromJson(vocabulary);
    }

    public override int[] Tokenize(string text) => [.. _tokenizer.Encode(text)];

    public override bool IsValidTokenId(int id) => id >= 0 && id < _tokenizer.VocabularySize;

    public override float[][] Run(IReadOnlyList<int[]> inputs)
    {
        var count = inputs.Sum(i => i.Length);
        var indices = new long[count * 2];
        var values = new long[count];
        var k = 0;
        for (var row = 0; row < inputs.Count; row++)
        {
            // A row without tokens would be dropped by the graph and shift the rows after it.
            if (inputs[row].Length == 0)
            {
                throw new ArgumentException($"Input {row} has no tokens.", nameof(inputs));
            }
            for (var position = 0; position < inputs[row].Length; position++, k++)
            {
                indices[2 * k] = row;
                indices[(2 * k) + 1] = position;
                values[k] = inputs[row][position];
            }
        }
        using var indicesValue = OrtValue.CreateTensorValueFromMemory(indices, [count, 2]);
        using var valuesValue = OrtValue.CreateTensorValueFromMemory(values, [count]);
        using var runOptions = new RunOptions();
        using var outputs = Session.Run(runOptions, ["indices", "values"], [indicesValue, valuesValue], [Manifest.Output]);
        var flat = outputs[0].GetTensorDataAsSpan<float>();
        var dimensions = Manifest.Dimensions;
        var vectors = new float[inputs.Count][];
        for (var row = 0; row < vectors.Length; row++)
        {
            vectors[row] = flat.Slice(row * dimensions, dimensions).ToArray();
            if (Manifest.Normalize)
            {
                NormalizeInPlace(vectors[row]);
            }
        }
        return vectors;
    }
}
