using System.Diagnostics.CodeAnalysis;

namespace Neutrino.Core.Storage;

/// <summary>
/// What a search box holds: eight or more hex digits (dashes allowed) are a task id or its prefix, a
/// range of the primary key; anything else of three or more characters is text looked up in args,
/// result and error through the trigram index (<c>ix_tasks_search</c>), never by a scan.
/// </summary>
public sealed record TaskSearch
{
    public const int MinTextLength = 3;
    public const int MaxTextLength = 200;

    private TaskSearch(Guid? lowest, Guid? highest, string? text) => (LowestId, HighestId, Text) = (lowest, highest, text);

    /// <summary>The smallest id with the prefix; null for a text search.</summary>
    public Guid? LowestId { get; }

    /// <summary>The largest id with the prefix; null for a text search.</summary>
    public Guid? HighestId { get; }

    public string? Text { get; }

    public bool IsIdPrefix => LowestId is not null;

    public static bool TryParse(string? query, [NotNullWhen(true)] out TaskSearch? search, [NotNullWhen(false)] out string? problem)
    {
        search = null;
        problem = null;
        var q = query?.Trim() ?? "";
        var hex = q.Replace("-", "", StringComparison.Ordinal);
        if (hex.Length is >= 8 and <= 32 && hex.All(char.IsAsciiHexDigit))
        {
            search = new TaskSearch(Id(hex, '0'), Id(hex, 'f'), null);
            return true;
        }
        if (q.Length < MinTextLength)
        {
            problem = $"A search needs at least {MinTextLength} characters of text, or 8 hex digits of a task id.";
            return false;
        }
        if (q.Length > MaxTextLength)
        {
            problem = $"A search is at most {MaxTextLength} characters.";
            return false;
        }
        if (q.Contains('\0', StringComparison.Ordinal))
        {
            problem = "A search cannot hold a NUL character.";
            return false;
        }
        search = new TaskSearch(null, null, q);
        return true;
    }

    /// <summary>The LIKE pattern of the text: the text anywhere, its own %, _ and \ taken literally.</summary>
    public string LikePattern() =>
        "%" + Text!.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%";

    private static Guid Id(string hex, char fill) => Guid.ParseExact(hex.ToLowerInvariant().PadRight(32, fill), "N");
}
