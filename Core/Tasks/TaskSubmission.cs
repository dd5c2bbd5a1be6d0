using System.Text.Json;

namespace Neutrino.Core.Tasks;

/// <summary>
/// The body of <c>POST /api/{task}</c>: <c>{"args": any, "priority"?: "high"|"normal"|"low"}</c>.
/// Args are kept as raw JSON: they travel to the handler untouched.
/// </summary>
public sealed record TaskSubmission(ReadOnlyMemory<byte> Args, TaskPriority Priority)
{
    private static readonly byte[] NullJson = "null"u8.ToArray();

    /// <summary>
    /// Reads a property other than <c>args</c> and <c>priority</c> (the reader is on its name) to the end
    /// of its value; false when the property is not one it takes. <paramref name="error"/>, when set, refuses the body.
    /// </summary>
    public delegate bool OtherProperty(ref Utf8JsonReader reader, out string? error);

    /// <summary>
    /// What the caller is told when reading its JSON body threw: invalid JSON, or a property name or
    /// string that escapes an unpaired surrogate (valid JSON, but no text). Null for anything else.
    /// </summary>
    public static string? Unreadable(Exception ex) => ex switch
    {
        JsonException => $"The body is not valid JSON: {ex.Message}",
        InvalidOperationException => $"The body cannot be read: {ex.Message}",
        _ => null,
    };

    /// <summary>Parses a body; an empty body means no args at normal priority.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> body, out TaskSubmission submission, out string error) =>
        TryParse(body, out submission, out error, null, "'args' and 'priority'");

    /// <summary>Parses a body that may carry more properties than a submission's, read by <paramref name="other"/>.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> body, out TaskSubmission submission, out string error, OtherProperty? other, string takes)
    {
        submission = new TaskSubmission(NullJson, TaskPriority.Normal);
        error = "";
        if (body.IsEmpty)
        {
            return true;
        }

        ReadOnlyMemory<byte> args = NullJson;
        var priority = TaskPriority.Normal;
        try
        {
            var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "The body must be a JSON object: {\"args\": ..., \"priority\": \"high\"|\"normal\"|\"low\"}.";
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("args"u8))
                {
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    if (!StorableJson.TryReadValue(ref reader, out var unstorable))
                    {
                        error = $"'args' cannot be stored: {unstorable}";
                        return false;
                    }
                    args = body[start..(int)reader.BytesConsumed];
                }
                else if (reader.ValueTextEquals("priority"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String || !WireNames.TryParse(reader.GetString(), out priority))
                    {
                        error = "'priority' must be one of \"high\", \"normal\", \"low\".";
                        return false;
                    }
                }
                else if (other is not null && other(ref reader, out var otherError))
                {
                    if (otherError is not null)
                    {
                        error = otherError;
                        return false;
                    }
                }
                else
                {
                    var name = reader.GetString();
                    error = $"Unknown property '{name}': the body takes {takes}.";
                    return false;
                }
            }
            // Reading to the end validates that nothing but whitespace follows the object.
            while (reader.Read())
            {
            }
        }
        catch (Exception ex) when (Unreadable(ex) is { } reason)
        {
            error = reason;
            return false;
        }

        submission = new TaskSubmission(args, priority);
        return true;
    }
}
