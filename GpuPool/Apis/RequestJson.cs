using System.Text.Json;
using Neutrino.Embeddings;

namespace Neutrino.GpuPool.Apis;

/// <summary>The body of a <c>/v1</c> request as a JSON object, or a refusal that says what is wrong with it.</summary>
internal static class RequestJson
{
    /// <summary>The parsed body; its root is an object. Dispose it when done.</summary>
    public static JsonDocument ParseObject(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException ex)
        {
            throw Invalid($"The body is not valid JSON: {ex.Message}", null);
        }
        if (Neutrino.Core.Tasks.StorableJson.FirstUnreadableString(body) is { } at)
        {
            document.Dispose();
            throw Invalid($"The string at byte {at} escapes an unpaired UTF-16 surrogate: valid JSON, but not text.", null);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw Invalid("The body must be a JSON object.", null);
        }
        return document;
    }

    public static EmbeddingException Invalid(string message, string? parameter) => new(EmbeddingErrorKind.InvalidRequest, message, parameter);
}
