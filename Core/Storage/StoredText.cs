namespace Neutrino.Core.Storage;

/// <summary>
/// Free text (an error, a progress message) made storable: PostgreSQL's <c>text</c> refuses
/// <c>\0</c>, and a lone UTF-16 surrogate cannot be encoded as UTF-8. Both become U+FFFD, so an
/// exception's message can never make the record of its task fail.
/// </summary>
public static class StoredText
{
    public static string? Clean(string? text)
    {
        if (text is null || IsClean(text))
        {
            return text;
        }
        return string.Create(text.Length, text, static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                if (char.IsHighSurrogate(c) && i + 1 < source.Length && char.IsLowSurrogate(source[i + 1]))
                {
                    chars[i] = c;
                    chars[i + 1] = source[++i];
                }
                else
                {
                    chars[i] = c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c;
                }
            }
        });
    }

    private static bool IsClean(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || char.IsLowSurrogate(c))
            {
                return false;
            }
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }
                i++;
            }
        }
        return true;
    }
}
