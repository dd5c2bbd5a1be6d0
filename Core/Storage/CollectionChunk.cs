namespace Neutrino.Core.Storage;

/// <summary>One chunk of a document in a collection, with its text, where it lies in the document, and its vector.</summary>
public sealed class CollectionChunk
{
    public required string Tenant { get; set; }

    public required string Collection { get; set; }

    public required string DocumentId { get; set; }

    /// <summary>The chunk's position in its document, from 0.</summary>
    public int Chunk { get; set; }

    public required string Text { get; set; }

    /// <summary>Where the chunk starts in the document's text, in UTF-16 code units.</summary>
    public int Start { get; set; }

    public int Length { get; set; }

    public int Tokens { get; set; }

    /// <summary>The document's metadata as the caller gave it (a JSON object), repeated on each chunk.</summary>
    public string? Metadata { get; set; }

    public required float[] Embedding { get; set; }
}
