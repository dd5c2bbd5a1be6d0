using Neutrino.Embeddings.Chunking;

namespace Neutrino.Tests.Unit;

public sealed class TextChunkerTests
{
    /// <summary>A stand-in tokenizer: a word is one token per five characters, rounded up.</summary>
    private static int Count(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Sum(w => (w.Length + 4) / 5);

    private static readonly string Words = string.Join(' ', Enumerable.Range(0, 200).Select(i => $"w{i:000}"));

    [Fact]
    public void Every_chunk_fits_and_together_they_cover_every_word_in_order()
    {
        var chunks = TextChunker.Split(Words, size: 16, overlap: 4, Count);

        Assert.All(chunks, c => Assert.InRange(c.Tokens, 1, 16));
        Assert.All(chunks, c => Assert.Equal(Count(c.TextOf(Words)), c.Tokens));
        var seen = chunks.SelectMany(c => c.TextOf(Words).Split(' ')).Distinct().ToList();
        Assert.Equal(Words.Split(' '), seen);
        Assert.Equal(0, chunks[0].Start);
        Assert.Equal(Words.Length, chunks[^1].Start + chunks[^1].Length);
    }

    [Fact]
    public void Consecutive_chunks_share_up_to_the_overlap()
    {
        var chunks = TextChunker.Split(Words, size: 16, overlap: 4, Count);

        for (var i = 1; i < chunks.Count; i++)
        {
            var previous = chunks[i - 1].TextOf(Words).Split(' ');
            var current = chunks[i].TextOf(Words).Split(' ');
            var shared = previous.Intersect(current).ToList();
            Assert.Equal(4, shared.Count);
            Assert.Equal(previous[^4..], current[..4]);
        }
    }

    [Fact]
    public void Without_overlap_chunks_do_not_share_words()
    {
        var chunks = TextChunker.Split(Words, size: 10, overlap: 0, Count);

        Assert.Equal(20, chunks.Count);
        Assert.Equal(200, chunks.Sum(c => c.TextOf(Words).Split(' ').Length));
    }

    [Fact]
    public void A_chunk_ends_at_a_sentence_when_one_ends_in_its_second_half()
    {
        var text = "one two three four five six seven. eight nine ten eleven twelve thirteen fourteen fifteen";

        var chunks = TextChunker.Split(text, size: 10, overlap: 0, Count);

        Assert.Equal("one two three four five six seven.", chunks[0].TextOf(text));
        Assert.StartsWith("eight", chunks[1].TextOf(text), StringComparison.Ordinal);
    }

    [Fact]
    public void A_word_longer_than_a_chunk_is_cut_between_characters_without_splitting_a_surrogate_pair()
    {
        var word = string.Concat(Enumerable.Repeat("ab😀cd", 30)); // 150 characters with 30 surrogate pairs
        var text = $"start {word} end";

        var chunks = TextChunker.Split(text, size: 4, overlap: 0, Count);

        Assert.All(chunks, c => Assert.InRange(c.Tokens, 1, 4));
        Assert.All(chunks, c => Assert.False(char.IsLowSurrogate(text[c.Start]), "a chunk starts inside a surrogate pair"));
        Assert.Equal(text.Replace(" ", "", StringComparison.Ordinal), string.Concat(chunks.Select(c => c.TextOf(text).Replace(" ", "", StringComparison.Ordinal))));
    }

    [Fact]
    public void Cutting_a_long_unbroken_word_tokenizes_text_in_proportion_to_its_length()
    {
        var word = new string('a', 200_000);
        long tokenized = 0;

        var chunks = TextChunker.Split($"start {word} end", size: 4, overlap: 1, text =>
        {
            tokenized += text.Length;
            return Count(text);
        });

        Assert.All(chunks, c => Assert.InRange(c.Tokens, 1, 4));
        // Each piece is sought in a window of the chunk's size: work linear in the word, not quadratic.
        Assert.InRange(tokenized, word.Length, 100L * word.Length);
    }

    [Fact]
    public void Text_of_only_white_space_has_no_chunks() =>
        Assert.Empty(TextChunker.Split(" \n\t ", size: 8, overlap: 2, Count));

    [Fact]
    public void An_overlap_as_large_as_the_chunk_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TextChunker.Split(Words, size: 8, overlap: 8, Count));
}
