using System.Text.RegularExpressions;

namespace Neutrino.GpuPool.Collections;

/// <summary>What a collection name and a document id may be.</summary>
internal static partial class CollectionNames
{
    public const int MaxDocumentIdLength = 256;

    /// <summary>Null when <paramref name="name"/> is a valid collection name; otherwise what is wrong with it.</summary>
    public static string? CheckCollection(string? name) =>
        name is null ? "a collection name is required"
        : Pattern().IsMatch(name) ? null
        : $"'{name}' is not a collection name: use 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit";

    /// <summary>Null when <paramref name="id"/> is a valid document id; otherwise what is wrong with it.</summary>
    public static string? CheckDocumentId(string? id) =>
        string.IsNullOrWhiteSpace(id) ? "a document id must be a non-empty string"
        : id.Length > MaxDocumentIdLength ? $"document id '{id[..32]}…' is longer than {MaxDocumentIdLength} characters"
        : null;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex Pattern();
}
