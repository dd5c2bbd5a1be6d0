using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace Neutrino.Embeddings.Tokenization;

/// <summary>
/// The SentencePiece unigram tokenizer of Universal Sentence Encoder lite, as a
/// <see cref="Tokenizer"/> of Microsoft.ML.Tokenizers. Text is NFKC-normalised, spaces become
/// <c>▁</c> and one <c>▁</c> goes in front; then the segmentation with the highest sum of piece
/// scores is found by dynamic programming over the code points. It reproduces the model's own
/// tokenizer exactly, quirks included, because the model was trained on its ids: a character no
/// piece starts with is an unknown piece (id 0) scoring 0, a running best of exactly 0 counts as
/// unset, ties go to the later candidate, a piece with a null score scores 0, and consecutive
/// unknown pieces merge into one.
/// </summary>
public sealed class UnigramPieceTokenizer : Tokenizer
{
    /// <summary>Marks the start of a word.</summary>
    public const char WordStart = '\u2581';

    private readonly string[] _pieces;
    private readonly TrieNode _root = new();

    private UnigramPieceTokenizer(string[] pieces, double[] scores, int reserved)
    {
        _pieces = pieces;
        // Later entries win: a piece listed twice keeps its last id and score.
        for (var id = reserved; id < pieces.Length; id++)
        {
            var node = _root;
            foreach (var (symbol, _) in Symbols(pieces[id]))
            {
                node = node.Child(symbol, create: true)!;
            }
            node.Id = id;
            node.Score = scores[id];
        }
    }

    /// <summary>Id of the unknown piece.</summary>
    public const int UnknownId = 0;

    public int VocabularySize => _pieces.Length;

    /// <summary>
    /// Reads a vocabulary in the JSON form the model ships (<c>[["piece", score], …]</c>, ids by
    /// position). The first <paramref name="reserved"/> entries (unknown, control and extra tokens)
    /// are never produced from text.
    /// </summary>
    public static UnigramPieceTokenizer FromJson(Stream vocabulary, int reserved = 6)
    {
        using var document = JsonDocument.Parse(vocabulary);
        var entries = document.RootElement;
        if (entries.ValueKind != JsonValueKind.Array || entries.GetArrayLength() <= reserved)
        {
            throw new InvalidDataException("The vocabulary must be a JSON array of [piece, score] pairs, longer than its reserved entries.");
        }
        var pieces = new string[entries.GetArrayLength()];
        var scores = new double[pieces.Length];
        var i = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() < 2)
            {
                throw new InvalidDataException($"Vocabulary entry {i} is not a [piece, score] pair.");
            }
            pieces[i] = entry[0].GetString() ?? throw new InvalidDataException($"Vocabulary entry {i} has no piece.");
            // A few pieces (those with ':') are shipped with a null score, which the original adds as 0.
            scores[i] = entry[1].ValueKind == JsonValueKind.Null ? 0 : entry[1].GetDouble();
            i++;
        }
        return new UnigramPieceTokenizer(pieces, scores, reserved);
    }

    /// <summary>The ids of <paramref name="text"/>.</summary>
    public IReadOnlyList<int> Encode(string text) => [.. Segment(Prepare(text)).Select(t => t.Id)];

    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var prepared = Prepare(text ?? textSpan.ToString());
        var tokens = Segment(prepared);
        if (settings.MaxTokenCount > 0 && tokens.Count > settings.MaxTokenCount)
        {
            tokens.RemoveRange(settings.MaxTokenCount, tokens.Count - settings.MaxTokenCount);
        }
        return new EncodeResults<EncodedToken>
        {
            Tokens = [.. tokens.Select(t => new EncodedToken(t.Id, prepared[t.Start..t.End], new Range(t.Start, t.End)))],
            NormalizedText = prepared,
            CharsConsumed = tokens.Count == 0 ? 0 : tokens[^1].End,
        };
    }

    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(ids);
        idsConsumed = 0;
        charsWritten = 0;
        foreach (var id in ids)
        {
            if (id < 0 || id >= _pieces.Length)
            {
                return OperationStatus.InvalidData;
            }
            var text = id == UnknownId ? "\uFFFD" : _pieces[id].Replace(WordStart, ' ');
            if (charsWritten == 0 && text.StartsWith(' '))
            {
                text = text[1..];
            }
            if (text.Length > destination.Length - charsWritten)
            {
                return OperationStatus.DestinationTooSmall;
            }
            text.CopyTo(destination[charsWritten..]);
            charsWritten += text.Length;
            idsConsumed++;
        }
        return OperationStatus.Done;
    }

    /// <summary>NFKC, then <c>▁</c> for every space and one in front.</summary>
    public static string Prepare(string text)
    {
        var normalized = text.Normalize(NormalizationForm.FormKC);
        return normalized.Length == 0 ? normalized : WordStart + normalized.Replace(' ', WordStart);
    }

    private List<Token> Segment(string text)
    {
        var symbols = new List<string>();
        var offsets = new List<int>();
        foreach (var (symbol, offset) in Symbols(text))
        {
            symbols.Add(symbol);
            offsets.Add(offset);
        }
        offsets.Add(text.Length);
        var n = symbols.Count;

        // candidates[end] holds (start, id, score) of every piece ending at end, by ascending start
        // (the order in which they are added, and the order the ties are decided in).
        var candidates = new List<(int Start, int Id, double Score)>[n + 1];
        for (var end = 0; end <= n; end++)
        {
            candidates[end] = [];
        }
        for (var start = 0; start < n; start++)
        {
            var matched = false;
            var node = _root;
            for (var end = start; end < n; end++)
            {
                node = node.Child(symbols[end], create: false);
                if (node is null)
                {
                    break;
                }
                if (node.Id >= 0)
                {
                    candidates[end + 1].Add((start, node.Id, node.Score));
                    matched = true;
                }
            }
            if (!matched)
            {
                candidates[start + 1].Add((start, UnknownId, 0));
            }
        }

        var best = new double[n + 1];
        var bestId = new int[n + 1];
        for (var end = 0; end <= n; end++)
        {
            foreach (var (start, id, score) in candidates[end])
            {
                var total = score + best[start];
                if (best[end] == 0 || total >= best[end])
                {
                    best[end] = total;
                    bestId[end] = id;
                }
            }
        }

        // Back from the end, each step the length of the chosen piece (the unknown piece's is 1).
        var tokens = new List<Token>();
        for (var end = n; end > 0;)
        {
            var id = bestId[end];
            var start = Math.Max(0, end - (id == UnknownId ? 1 : _pieces[id].Length));
            if (id == UnknownId && tokens.Count > 0 && tokens[^1].Id == UnknownId)
            {
                tokens[^1] = tokens[^1] with { Start = offsets[start] };
            }
            else
            {
                tokens.Add(new Token(id, offsets[start], offsets[end]));
            }
            end = start;
        }
        tokens.Reverse();
        return tokens;
    }

    /// <summary>The code points of <paramref name="text"/> with their UTF-16 offsets; a lone surrogate is a symbol of its own.</summary>
    private static IEnumerable<(string Symbol, int Offset)> Symbols(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            var length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            yield return (text.Substring(i, length), i);
            i += length;
        }
    }

    private readonly record struct Token(int Id, int Start, int End);

    private sealed class TrieNode
    {
        private Dictionary<string, TrieNode>? _children;

        public int Id { get; set; } = -1;

        public double Score { get; set; }

        public TrieNode? Child(string symbol, bool create)
        {
            if (_children is not null && _children.TryGetValue(symbol, out var child))
            {
                return child;
            }
            if (!create)
            {
                return null;
            }
            _children ??= new Dictionary<string, TrieNode>(StringComparer.Ordinal);
            return _children[symbol] = new TrieNode();
        }
    }
}
