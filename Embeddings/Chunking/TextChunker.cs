namespace Neutrino.Embeddings.Chunking;

/// <summary>A piece of a document: where it lies in the text, and how many of the model's tokens it holds.</summary>
public sealed record TextChunk(int Start, int Length, int Tokens)
{
    public string TextOf(string document) => document.Substring(Start, Length);
}

/// <summary>
/// Cuts text into chunks of at most a given number of model tokens, consecutive chunks sharing up to
/// a given number of tokens, so that no passage is only ever seen cut in two. Chunks break between
/// words, and at the end of a sentence or paragraph when one falls in the chunk's second half. A
/// single word longer than a chunk is cut between characters. Sizes are counted with the model's
/// own tokenizer, so every chunk fits the model whole.
/// </summary>
public static class TextChunker
{
    /// <param name="text">The document.</param>
    /// <param name="size">The most tokens in a chunk (without the model's special tokens).</param>
    /// <param name="overlap">The most tokens a chunk repeats from the end of the one before; less than <paramref name="size"/>.</param>
    /// <param name="countTokens">The model's token count of a piece of text, without special tokens.</param>
    public static IReadOnlyList<TextChunk> Split(string text, int size, int overlap, Func<string, int> countTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(countTokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(overlap);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(overlap, size);

        var units = Units(text, size, countTokens);
        var chunks = new List<TextChunk>();
        var first = 0;
        while (first < units.Count)
        {
            // As many whole units as fit...
            var end = first;
            var tokens = 0;
            while (end < units.Count && tokens + units[end].Tokens <= size)
            {
                tokens += units[end++].Tokens;
            }
            if (end == first)
            {
                end++; // a single character over the budget: kept whole, as nothing smaller exists
            }
            // ...cut back to a sentence's end in the second half, unless this is the last chunk or ends one...
            if (end < units.Count && !units[end - 1].EndsSentence)
            {
                var kept = tokens;
                for (var candidate = end - 1; candidate > first && kept - units[candidate].Tokens >= size / 2; candidate--)
                {
                    kept -= units[candidate].Tokens;
                    if (units[candidate - 1].EndsSentence)
                    {
                        end = candidate;
                        break;
                    }
                }
            }
            // ...and counted as a whole: the sum of the parts is an estimate, the model's count is the truth.
            int counted;
            while ((counted = countTokens(Slice(text, units, first, end))) > size && end - first > 1)
            {
                end--;
            }
            chunks.Add(new TextChunk(units[first].Start, units[end - 1].End - units[first].Start, counted));
            if (end == units.Count)
            {
                break;
            }
            // The next chunk starts far enough back to repeat up to `overlap` tokens, always moving on.
            var next = end;
            var repeated = 0;
            while (next - 1 > first && repeated + units[next - 1].Tokens <= overlap)
            {
                repeated += units[--next].Tokens;
            }
            first = next;
        }
        return chunks;
    }

    private static string Slice(string text, List<Unit> units, int first, int end) =>
        text[units[first].Start..units[end - 1].End];

    /// <summary>The words of the text (runs without white space), a word longer than a chunk cut into pieces that fit.</summary>
    private static List<Unit> Units(string text, int size, Func<string, int> countTokens)
    {
        var units = new List<Unit>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            if (i == text.Length)
            {
                break;
            }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            var endsParagraph = i < text.Length && text.AsSpan(i, NextNonWhiteSpace(text, i) - i).Contains('\n');
            var endsSentence = endsParagraph || text[i - 1] is '.' or '!' or '?' or ';' or ':' or '。' or '！' or '？';
            var tokens = countTokens(text[start..i]);
            if (tokens <= size)
            {
                units.Add(new Unit(start, i, tokens, endsSentence));
                continue;
            }
            for (var pieceStart = start; pieceStart < i;)
            {
                var pieceEnd = LongestFit(text, pieceStart, i, size, countTokens, out var pieceTokens);
                units.Add(new Unit(pieceStart, pieceEnd, pieceTokens, pieceEnd == i && endsSentence));
                pieceStart = pieceEnd;
            }
        }
        return units;
    }

    // No token of any model here covers more characters than this: a piece is sought within size × this of
    // its start, so each piece costs tokenizing a bounded window, and cutting a long word is linear in it.
    private const int MaxCharsPerToken = 32;

    /// <summary>The end of the longest piece from <paramref name="start"/> that fits in <paramref name="size"/> tokens: at least one character, never half a surrogate pair.</summary>
    private static int LongestFit(string text, int start, int limit, int size, Func<string, int> countTokens, out int tokens)
    {
        limit = (int)Math.Min(limit, start + ((long)size * MaxCharsPerToken));
        if (limit < text.Length && limit > start + 1 && char.IsLowSurrogate(text[limit]))
        {
            limit--;
        }
        var cuts = new List<int>();
        for (var p = start + 1; p <= limit; p++)
        {
            if (p == limit || !char.IsLowSurrogate(text[p]))
            {
                cuts.Add(p);
            }
        }
        // The largest cut that fits; the first is taken even if it does not, so every piece holds something.
        int low = 0, high = cuts.Count - 1;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (countTokens(text[start..cuts[middle]]) <= size)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }
        tokens = countTokens(text[start..cuts[low]]);
        return cuts[low];
    }

    private static int NextNonWhiteSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
        return i;
    }

    private readonly record struct Unit(int Start, int End, int Tokens, bool EndsSentence);
}
