using System.Text.Json;
using Neutrino.Embeddings;
using static Neutrino.GpuPool.Apis.RequestJson;

namespace Neutrino.GpuPool.Apis;

/// <summary>An OpenAI <c>POST /v1/embeddings</c> body, read field by field so each mistake is named.</summary>
/// <param name="Base64"><c>encoding_format</c> <c>base64</c> (little-endian float32) rather than <c>float</c>.</param>
internal sealed record EmbeddingsRequest(EmbeddingInput Input, string? Model, bool Base64, int? Dimensions, string? User)
{
    public static EmbeddingsRequest Parse(ReadOnlySpan<byte> body)
    {
        using var document = ParseObject(body);
        var root = document.RootElement;
        if (!root.TryGetProperty("input", out var input))
        {
            throw Invalid("'input' is required.", "input");
        }
        var model = OptionalString(root, "model");
        var base64 = OptionalString(root, "encoding_format") switch
        {
            null or "float" => false,
            "base64" => true,
            var other => throw Invalid($"'encoding_format' must be 'float' or 'base64'; got '{other}'.", "encoding_format"),
        };
        int? dimensions = null;
        if (root.TryGetProperty("dimensions", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            dimensions = d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out var value)
                ? value
                : throw Invalid("'dimensions' must be an integer.", "dimensions");
        }
        return new EmbeddingsRequest(ParseInput(input), model, base64, dimensions, OptionalString(root, "user"));
    }

    /// <summary>A string, an array of strings, an array of token ids, or an array of arrays of token ids.</summary>
    private static EmbeddingInput ParseInput(JsonElement input)
    {
        switch (input.ValueKind)
        {
            case JsonValueKind.String:
                return EmbeddingInput.FromTexts([input.GetString()!]);
            case JsonValueKind.Array when input.GetArrayLength() == 0:
                throw Invalid("'input' must not be empty.", "input");
            case JsonValueKind.Array:
                var first = input[0].ValueKind;
                if (first == JsonValueKind.String)
                {
                    return EmbeddingInput.FromTexts([.. input.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.String
                        ? e.GetString()!
                        : throw Invalid($"'input[{i}]' must be a string like the other items.", "input"))]);
                }
                if (first == JsonValueKind.Number)
                {
                    return EmbeddingInput.FromTokens([TokenArray(input, "input")]);
                }
                if (first == JsonValueKind.Array)
                {
                    return EmbeddingInput.FromTokens([.. input.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.Array
                        ? TokenArray(e, $"input[{i}]")
                        : throw Invalid($"'input[{i}]' must be an array of token ids like the other items.", "input"))]);
                }
                throw Invalid("'input' must be a string, an array of strings, an array of token ids or an array of arrays of token ids.", "input");
            default:
                throw Invalid("'input' must be a string, an array of strings, an array of token ids or an array of arrays of token ids.", "input");
        }
    }

    private static int[] TokenArray(JsonElement array, string path) =>
        [.. array.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var id) && id >= 0
            ? id
            : throw Invalid($"'{path}[{i}]' must be a non-negative integer token id.", "input"))];

    private static string? OptionalString(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw Invalid($"'{name}' must be a string.", name);

}
