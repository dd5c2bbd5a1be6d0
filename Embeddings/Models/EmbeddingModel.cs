using Microsoft.ML.OnnxRuntime;
using Neutrino.Embeddings.Runtime;

namespace Neutrino.Embeddings.Models;

/// <summary>A loaded model: its tokenizer and its ONNX Runtime session. Safe for concurrent use.</summary>
internal abstract class EmbeddingModel : IDisposable
{
    protected EmbeddingModel(string directory, ModelManifest manifest, SessionFactory sessions)
    {
        Directory = directory;
        Manifest = manifest;
        var onnx = Path.Combine(directory, manifest.OnnxFile);
        SizeBytes = new FileInfo(onnx).Length;
        Session = sessions.Create(onnx);
    }

    public string Directory { get; }

    public ModelManifest Manifest { get; }

    /// <summary>The model file's size: the estimate of its memory in the pool.</summary>
    public long SizeBytes { get; }

    protected InferenceSession Session { get; }

    public static EmbeddingModel Load(string directory, ModelManifest manifest, SessionFactory sessions) => manifest.Architecture switch
    {
        ModelArchitecture.SparseSentenceEncoder => new SparseEncoderModel(directory, manifest, sessions),
        ModelArchitecture.Bert => new BertModel(directory, manifest, sessions),
        _ => throw new NotSupportedException($"Model '{manifest.Name}': architecture {manifest.Architecture} is not supported."),
    };

    /// <summary>All of the text's token ids, special tokens included, before any truncation.</summary>
    public abstract int[] Tokenize(string text);

    /// <summary>How many special tokens <see cref="Tokenize"/> adds to any text (<c>[CLS]</c> and <c>[SEP]</c>, say).</summary>
    public virtual int AddedTokens => 0;

    /// <summary>Cuts token ids to the model's limit, keeping what the model needs at the end (a separator, say).</summary>
    public virtual int[] Truncate(int[] ids) => ids.Length <= Manifest.MaxTokens ? ids : ids[..Manifest.MaxTokens];

    /// <summary>Whether token ids given directly by a client are all ids of this model's vocabulary.</summary>
    public abstract bool IsValidTokenId(int id);

    /// <summary>One vector per input (each at most <see cref="ModelManifest.MaxTokens"/> ids, none empty), in order.</summary>
    public abstract float[][] Run(IReadOnlyList<int[]> inputs);

    public void Dispose() => Session.Dispose();

    protected static void NormalizeInPlace(Span<float> vector)
    {
        var sum = 0.0;
        foreach (var v in vector)
        {
            sum += v * v;
        }
        var scale = (float)(1 / Math.Max(Math.Sqrt(sum), 1e-12));
        foreach (ref var v in vector)
        {
            v *= scale;
        }
    }
}
