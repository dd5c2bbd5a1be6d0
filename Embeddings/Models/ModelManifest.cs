using System.Text.Json;
using System.Text.Json.Serialization;

namespace Neutrino.Embeddings.Models;

/// <summary>How a model's graph is fed.</summary>
public enum ModelArchitecture
{
    /// <summary>Universal Sentence Encoder lite: sparse <c>indices</c>/<c>values</c> in, pooled and normalised vectors out.</summary>
    SparseSentenceEncoder,

    /// <summary>BERT family: <c>input_ids</c>, <c>attention_mask</c> and optional <c>token_type_ids</c> in, token states or a pooled vector out.</summary>
    Bert,
}

public enum Pooling
{
    /// <summary>The graph's output is already one vector per input.</summary>
    None,

    /// <summary>Mean of the token states under the attention mask.</summary>
    Mean,

    /// <summary>The first token's state.</summary>
    Cls,
}

public enum TokenizerKind
{
    /// <summary>SentencePiece unigram pieces with scores, as <c>[["piece", score], …]</c> JSON.</summary>
    UnigramJson,

    /// <summary>WordPiece from a BERT <c>vocab.txt</c>.</summary>
    WordPieceVocab,
}

/// <summary>
/// <c>neutrino-model.json</c>, beside a model's files in its folder under the models directory.
/// </summary>
public sealed record ModelManifest
{
    public const string FileName = "neutrino-model.json";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = true,
    };

    /// <summary>The name clients ask for (<c>model</c> in requests).</summary>
    public required string Name { get; init; }

    public required int Dimensions { get; init; }

    /// <summary>Tokens per input the model reads; longer inputs are truncated or refused.</summary>
    public required int MaxTokens { get; init; }

    public required ModelArchitecture Architecture { get; init; }

    public Pooling Pooling { get; init; } = Pooling.None;

    /// <summary>Whether vectors are L2-normalised after pooling (the sparse encoder's already are).</summary>
    public bool Normalize { get; init; } = true;

    public string OnnxFile { get; init; } = "model.onnx";

    /// <summary>The graph output to read (BERT: <c>last_hidden_state</c>, or a pooled output such as <c>sentence_embedding</c>).</summary>
    public string Output { get; init; } = "embeddings";

    public required TokenizerKind Tokenizer { get; init; }

    public required string TokenizerFile { get; init; }

    /// <summary>WordPiece: lower-case and strip accents first (uncased models).</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Where the weights come from, and their licence, for <c>/v1/models</c> and the credits.</summary>
    public string? Source { get; init; }

    public string? License { get; init; }

    public static ModelManifest Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(path), Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
        if (manifest is null)
        {
            throw new InvalidDataException($"{path} is empty.");
        }
        var problems = new List<string>();
        if (manifest.Dimensions <= 0)
        {
            problems.Add("'dimensions' must be positive");
        }
        if (manifest.MaxTokens <= 0)
        {
            problems.Add("'max_tokens' must be positive");
        }
        if (!File.Exists(Path.Combine(directory, manifest.OnnxFile)))
        {
            problems.Add($"'onnx_file' {manifest.OnnxFile} does not exist");
        }
        if (!File.Exists(Path.Combine(directory, manifest.TokenizerFile)))
        {
            problems.Add($"'tokenizer_file' {manifest.TokenizerFile} does not exist");
        }
        if (manifest.Architecture == ModelArchitecture.Bert && manifest.Pooling == Pooling.None && manifest.Output == "last_hidden_state")
        {
            problems.Add("a BERT model reading 'last_hidden_state' needs 'pooling' mean or cls");
        }
        return problems.Count == 0 ? manifest : throw new InvalidDataException($"{path}: {string.Join("; ", problems)}.");
    }

    public void Write(string directory) => File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json));
}
