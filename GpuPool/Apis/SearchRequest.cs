using System.Text.Json;
using static Neutrino.GpuPool.Apis.RequestJson;

namespace Neutrino.GpuPool.Apis;

/// <summary>A <c>POST /v1/collections/{name}/search</c> body: <c>query</c>, <c>top_k</c> (default 10), <c>document_ids</c> to search only those.</summary>
internal sealed record SearchRequest(string Query, int TopK, IReadOnlySet<string>? DocumentIds)
{
    public const int DefaultTopK = 10;

    public static SearchRequest Parse(ReadOnlySpan<byte> body, int maxTopK)
    {
        using var document = ParseObject(body);
        var root = document.RootElement;
        if (!root.TryGetProperty("query", out var query) || query.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(query.GetString()))
        {
            throw Invalid("'query' is required: a non-empty string.", "query");
        }
        var topK = DefaultTopK;
        if (root.TryGetProperty("top_k", out var k) && k.ValueKind != JsonValueKind.Null)
        {
            topK = k.ValueKind == JsonValueKind.Number && k.TryGetInt32(out var value) && value >= 1 && value <= maxTopK
                ? value
                : throw Invalid($"'top_k' must be an integer from 1 to {maxTopK}.", "top_k");
        }
        HashSet<string>? documentIds = null;
        if (root.TryGetProperty("document_ids", out var ids) && ids.ValueKind != JsonValueKind.Null)
        {
            if (ids.ValueKind != JsonValueKind.Array || ids.GetArrayLength() == 0)
            {
                throw Invalid("'document_ids' must be a non-empty array of document ids.", "document_ids");
            }
            documentIds = [.. ids.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.String
                ? e.GetString()!
                : throw Invalid($"'document_ids[{i}]' must be a string.", "document_ids"))];
        }
        return new SearchRequest(query.GetString()!, topK, documentIds);
    }

}
