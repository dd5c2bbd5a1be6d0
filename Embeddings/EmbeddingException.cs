namespace Neutrino.Embeddings;

public enum EmbeddingErrorKind
{
    /// <summary>The request is wrong: empty input, too many inputs, too long, bad dimensions (400).</summary>
    InvalidRequest,

    /// <summary>No such model (404).</summary>
    ModelNotFound,

    /// <summary>Too much queued work: try again shortly (503 with Retry-After).</summary>
    Overloaded,
}

/// <summary>A request the engine refuses, with what is wrong and which parameter.</summary>
public sealed class EmbeddingException(EmbeddingErrorKind kind, string message, string? parameter = null, string? code = null) : Exception(message)
{
    public EmbeddingErrorKind Kind { get; } = kind;

    /// <summary>The request field at fault (<c>input</c>, <c>model</c>, <c>dimensions</c>).</summary>
    public string? Parameter { get; } = parameter;

    /// <summary>A stable machine-readable code, e.g. <c>context_length_exceeded</c>.</summary>
    public string? Code { get; } = code;
}
