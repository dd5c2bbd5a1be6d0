using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using Neutrino.Embeddings.Runtime;

namespace Neutrino.Embeddings.Models;

/// <summary>
/// BERT-family encoders (all-MiniLM, bge, e5, gte exports): WordPiece ids with <c>[CLS]</c> and
/// <c>[SEP]</c>, a padded batch with its attention mask (and token types when the graph takes
/// them), then mean or CLS pooling of the token states and L2 normalisation.
/// </summary>
internal sealed class BertModel : EmbeddingModel
{
    private readonly BertTokenizer _tokenizer;
    private readonly bool _takesTokenTypes;
    private readonly int _vocabularySize;

    public BertModel(string directory, ModelManifest manifest, SessionFactory sessions)
        : base(directory, manifest, sessions)
    {
        var vocabulary = Path.Combine(directory, manifest.TokenizerFile);
        _tokenizer = BertTokenizer.Create(vocabulary, new BertOptions { LowerCaseBeforeTokenization = manifest.LowerCase, RemoveNonSpacingMarks = manifest.LowerCase });
        _vocabularySize = File.ReadLines(vocabulary).Count();
        _takesTokenTypes = Session.InputMetadata.ContainsKey("token_type_ids");
        foreach (var input in new[] { "input_ids", "attention_mask" })
        {
            if (!Session.InputMetadata.ContainsKey(input))
            {
                throw new InvalidDataException($"Model '{manifest.Name}' has no '{input}' input; BERT-family graphs take input_ids and attention_mask.");
            }
        }
        if (!Session.OutputMetadata.ContainsKey(manifest.Output))
        {
            throw new InvalidDataException($"Model '{manifest.Name}' has no output '{manifest.Output}'; it has {string.Join(", ", Session.OutputMetadata.Keys)}.");
        }
    }

    public override int[] Tokenize(string text) => [.. _tokenizer.EncodeToIds(text)];

    /// <summary><c>[CLS]</c> and <c>[SEP]</c>.</summary>
    public override int AddedTokens => 2;

    /// <summary>Keeps <c>[SEP]</c> at the end of a cut input.</summary>
    public override int[] Truncate(int[] ids) =>
        ids.Length <= Manifest.MaxTokens ? ids : [.. ids[..(Manifest.MaxTokens - 1)], ids[^1]];

    public override bool IsValidTokenId(int id) => id >= 0 && id < _vocabularySize;

    public override float[][] Run(IReadOnlyList<int[]> inputs)
    {
        var batch = inputs.Count;
        var length = inputs.Max(i => i.Length);
        var ids = new long[batch * length];
        var mask = new long[batch * length];
        for (var row = 0; row < batch; row++)
        {
            for (var position = 0; position < inputs[row].Length; position++)
            {
                ids[(row * length) + position] = inputs[row][position];
                mask[(row * length) + position] = 1;
            }
        }
        long[] shape = [batch, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = _takesTokenTypes ? OrtValue.CreateTensorValueFromMemory(new long[batch * length], shape) : null;
        var names = _takesTokenTypes ? new[] { "input_ids", "attention_mask", "token_type_ids" } : ["input_ids", "attention_mask"];
        var values = _takesTokenTypes ? new[] { idsValue, maskValue, typesValue! } : [idsValue, maskValue];
        using var runOptions = new RunOptions();
        using var outputs = Session.Run(runOptions, names, values, [Manifest.Output]);
        var output = outputs[0];
        var outputShape = output.GetTensorTypeAndShape().Shape;
        var flat = output.GetTensorDataAsSpan<float>();
        var hidden = (int)outputShape[^1];
        var vectors = new float[batch][];
        for (var row = 0; row < batch; row++)
        {
            var vector = new float[hidden];
            if (outputShape.Length == 2)
            {
                flat.Slice(row * hidden, hidden).CopyTo(vector);
            }
            else if (Manifest.Pooling == Pooling.Cls)
            {
                flat.Slice(row * length * hidden, hidden).CopyTo(vector);
            }
            else
            {
                // Mean over the real tokens only: padding positions are left out.
                for (var position = 0; position < inputs[row].Length; position++)
                {
                    var state = flat.Slice(((row * length) + position) * hidden, hidden);
                    for (var d = 0; d < hidden; d++)
                    {
                        vector[d] += state[d];
                    }
                }
                for (var d = 0; d < hidden; d++)
                {
                    vector[d] /= inputs[row].Length;
                }
            }
            if (Manifest.Normalize)
            {
                NormalizeInPlace(vector);
            }
            vectors[row] = vector;
        }
        return vectors;
    }
}
