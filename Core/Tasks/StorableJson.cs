using System.Buffers;
using System.Text.Json;

namespace Neutrino.Core.Tasks;

/// <summary>
/// What PostgreSQL's <c>jsonb</c> refuses although it is valid JSON, found before a task is
/// accepted: a <c>\u0000</c> or an unpaired surrogate in a string or key, a number
/// <c>numeric</c> cannot hold (an exponent beyond ±1,000, more than 131,072 digits before the
/// point or 16,383 after it). Such args would otherwise be refused by the database after the
/// caller had been answered, or fail the group commit they rode in.
/// </summary>
public static class StorableJson
{
    private const int MaxExponent = 1000;
    private const int MaxIntegerDigits = 131_072;
    private const int MaxFractionDigits = 16_383;

    /// <summary>
    /// Reads the value the reader stands on (a scalar or a whole object or array) and checks every
    /// token of it; false with the problem named when one cannot be stored.
    /// </summary>
    public static bool TryReadValue(ref Utf8JsonReader reader, out string error)
    {
        if (!IsStorable(ref reader, out error))
        {
            return false;
        }
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            var depth = reader.CurrentDepth;
            while (reader.Read() && reader.CurrentDepth > depth)
            {
                if (!IsStorable(ref reader, out error))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>
    /// Where the first string or property name escapes an unpaired surrogate (valid JSON, but not text:
    /// reading it throws), or null. For bodies that are read, not stored, where <c>\u0000</c> is fine.
    /// </summary>
    public static long? FirstUnreadableString(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped && !TryGetText(ref reader, out _))
            {
                return reader.TokenStartIndex;
            }
        }
        return null;
    }

    private static bool TryGetText(ref Utf8JsonReader reader, out string text)
    {
        try
        {
            text = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    private static bool IsStorable(ref Utf8JsonReader reader, out string error)
    {
        error = "";
        switch (reader.TokenType)
        {
            case JsonTokenType.String or JsonTokenType.PropertyName when reader.ValueIsEscaped:
                if (!TryGetText(ref reader, out var text))
                {
                    error = $"{What(reader)} at byte {reader.TokenStartIndex} escapes an unpaired UTF-16 surrogate, which cannot be stored.";
                    return false;
                }
                if (text.Contains('\0', StringComparison.Ordinal))
                {
                    error = $"{What(reader)} at byte {reader.TokenStartIndex} contains \\u0000, which cannot be stored (PostgreSQL's jsonb refuses it).";
                    return false;
                }
                return true;
            case JsonTokenType.Number:
                if (!FitsNumeric(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan))
                {
                    error = $"The number at byte {reader.TokenStartIndex} is out of range: exponents up to ±{MaxExponent}, "
                        + $"{MaxIntegerDigits} digits before the point and {MaxFractionDigits} after it can be stored.";
                    return false;
                }
                return true;
            default:
                return true;
        }
    }

    private static string What(Utf8JsonReader reader) => reader.TokenType == JsonTokenType.PropertyName ? "A property name" : "A string";

    /// <summary>A JSON number (already valid JSON) checked against PostgreSQL's numeric limits.</summary>
    internal static bool FitsNumeric(ReadOnlySpan<byte> number)
    {
        var i = number.Length > 0 && number[0] == '-' ? 1 : 0;
        var integerDigits = 0;
        var leadingZeros = true;
        for (; i < number.Length && number[i] is >= (byte)'0' and <= (byte)'9'; i++)
        {
            leadingZeros &= number[i] == '0';
            if (!leadingZeros)
            {
                integerDigits++;
            }
        }
        var fractionDigits = 0;
        if (i < number.Length && number[i] == '.')
        {
            for (i++; i < number.Length && number[i] is >= (byte)'0' and <= (byte)'9'; i++)
            {
                fractionDigits++;
            }
        }
        long exponent = 0;
        if (i < number.Length && number[i] is (byte)'e' or (byte)'E')
        {
            i++;
            var negative = number[i] == '-';
            if (number[i] is (byte)'-' or (byte)'+')
            {
                i++;
            }
            for (; i < number.Length; i++)
            {
                exponent = (exponent * 10) + (number[i] - '0');
                if (exponent > MaxExponent)
                {
                    return false;
                }
            }
            exponent = negative ? -exponent : exponent;
        }
        return integerDigits + exponent <= MaxIntegerDigits && fractionDigits - exponent <= MaxFractionDigits;
    }
}
