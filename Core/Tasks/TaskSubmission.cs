using System.Text.Json;

namespace Neutrino.Core.Tasks;

/// <summary>
/// The body of <c>POST /api/{task}</c>: <c>{"args": any, "priority"?: "high"|"normal"|"low"}</c>.
/// Args are kept as raw JSON: they travel to the handler untouched.
/// </summary>
public sealed record TaskSubmission(ReadOnlyMemory<byte> Args, TaskPriority Priority)
{
    private static readonly byte[] NullJson = "null"u8.ToArray();

    /// <summary>Parses a body; an empty body means no args at normal priority.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> body, out TaskSubmission submission, out string error)
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
                else
                {
                    var name = reader.GetString();
                    error = $"Unknown property '{name}': the body takes 'args' and 'priority'.";
                    return false;
                }
            }
            // Reading to the end validates that nothing but whitespace follows the object.
            while (reader.Read())
            {
            }
        }
        catch (JsonException ex)
        {
            error = $"The body is not valid JSON: {ex.Message}";
            return false;
        }
        catch (InvalidOperationException ex)
        {
            // A property name or priority that escapes an unpaired surrogate: valid JSON, but no text.
            error = $"The body cannot be read: {ex.Message}";
            return false;
        }

        submission = new TaskSubmission(args, priority);
        return true;
    }
}
