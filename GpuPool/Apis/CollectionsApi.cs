using System.Text.Json;
using Microsoft.Extensions.Options;
using Neutrino.Core.Http;
using Neutrino.Core.Messaging;
using Neutrino.Embeddings;
using Neutrino.GpuPool.Collections;
using Npgsql;

namespace Neutrino.GpuPool.Apis;

/// <summary>
/// The tenant's collections of embedded document chunks (filled by the <c>embed_documents</c> task):
/// list, inspect, drop, remove a document, and search. Everything is scoped by the tenant the
/// gateway names in <see cref="TaskHeaders.Tenant"/>; a collection of another tenant does not exist
/// here. Errors are in OpenAI's shape, like the rest of <c>/v1</c>.
/// </summary>
internal static class CollectionsApi
{
    public static WebApplication MapCollectionsApi(this WebApplication app)
    {
        var collections = app.MapGroup("/v1/collections").AddEndpointFilter(RequireTenantAsync).AddEndpointFilter(StoreUnavailableAsync);
        collections.MapGet("/", ListAsync);
        collections.MapGet("/{name}", GetAsync);
        collections.MapDelete("/{name}", DeleteAsync);
        collections.MapDelete("/{name}/documents/{documentId}", DeleteDocumentAsync);
        collections.MapPost("/{name}/search", SearchAsync);
        return app;
    }

    private static async Task ListAsync(HttpContext context, CollectionStore store)
    {
        var tenant = Tenant(context);
        var all = await store.ListAsync(tenant, context.RequestAborted);
        await TypedResults.Ok(new CollectionList("list", [.. all.Select(CollectionObject.From)])).ExecuteAsync(context);
    }

    private static async Task GetAsync(HttpContext context, string name, CollectionStore store)
    {
        var tenant = Tenant(context);
        var found = await store.GetAsync(tenant, name, context.RequestAborted);
        await (found is null ? NotFoundAsync(context, name) : TypedResults.Ok(CollectionObject.From(found)).ExecuteAsync(context));
    }

    private static async Task DeleteAsync(HttpContext context, string name, CollectionStore store, CollectionSearch search)
    {
        var tenant = Tenant(context);
        if (!await store.DeleteAsync(tenant, name, context.RequestAborted))
        {
            await NotFoundAsync(context, name);
            return;
        }
        search.Forget(tenant, name);
        await TypedResults.Ok(new DeletedObject(name, "collection.deleted", true)).ExecuteAsync(context);
    }

    private static async Task DeleteDocumentAsync(HttpContext context, string name, string documentId, CollectionStore store, TimeProvider time)
    {
        var tenant = Tenant(context);
        if (!await store.DeleteDocumentAsync(tenant, name, documentId, time.GetUtcNow(), context.RequestAborted))
        {
            await OpenAiErrors.WriteAsync(context, StatusCodes.Status404NotFound,
                $"Collection '{name}' has no document '{documentId}'.", "invalid_request_error", "document_id", "document_not_found");
            return;
        }
        await TypedResults.Ok(new DeletedObject(documentId, "document.deleted", true)).ExecuteAsync(context);
    }

    private static async Task SearchAsync(HttpContext context, string name, CollectionSearch search, IOptions<EmbeddingsApiOptions> apiOptions, IOptions<CollectionOptions> options)
    {
        var tenant = Tenant(context);
        var body = await EmbeddingsApi.ReadBodyAsync(context, apiOptions.Value.MaxRequestBytes);
        if (body is null)
        {
            return;
        }
        SearchResults? results;
        try
        {
            var request = SearchRequest.Parse(body, options.Value.MaxTopK);
            results = await search.SearchAsync(tenant, name, request.Query, request.TopK, request.DocumentIds, context.RequestAborted);
        }
        catch (EmbeddingException ex)
        {
            await EmbeddingsApi.WriteRefusalAsync(context, ex);
            return;
        }
        if (results is null)
        {
            await NotFoundAsync(context, name);
            return;
        }
        var data = results.Hits.Select(h => new SearchResultObject(
            "search_result", h.Chunk.DocumentId, h.Chunk.Chunk, h.Score, h.Chunk.Text, h.Chunk.Start, h.Chunk.Start + h.Chunk.Length,
            h.Chunk.Metadata is null ? null : JsonDocument.Parse(h.Chunk.Metadata).RootElement.Clone()));
        await TypedResults.Ok(new SearchResponse("list", name, results.Model, [.. data], new SearchUsage(results.PromptTokens, results.PromptTokens)))
            .ExecuteAsync(context);
    }

    /// <summary>PostgreSQL away (restarting, say): a 503 the client can retry, in OpenAI's shape, rather than a bare 500.</summary>
    private static async ValueTask<object?> StoreUnavailableAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        try
        {
            return await next(invocation);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !invocation.HttpContext.Response.HasStarted)
        {
            invocation.HttpContext.Response.Headers.RetryAfter = "1";
            await OpenAiErrors.WriteAsync(invocation.HttpContext, StatusCodes.Status503ServiceUnavailable,
                "The collection store is unavailable; retry shortly.", "server_error", null, "store_unavailable");
            return null;
        }
    }

    /// <summary>Collections belong to the tenant the gateway authenticated; a request that did not come through it is refused.</summary>
    private static async ValueTask<object?> RequireTenantAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        if (invocation.HttpContext.Request.Headers[TaskHeaders.Tenant].ToString().Length > 0)
        {
            return await next(invocation);
        }
        await OpenAiErrors.WriteAsync(invocation.HttpContext, StatusCodes.Status401Unauthorized,
            "Collections belong to a tenant: send the request through the gateway, with an API key.", "invalid_request_error", null, "invalid_api_key");
        return null;
    }

    /// <summary>The tenant, as the gateway named it (<see cref="RequireTenantAsync"/> has checked it is there).</summary>
    private static string Tenant(HttpContext context) => context.Request.Headers[TaskHeaders.Tenant].ToString();

    private static Task NotFoundAsync(HttpContext context, string name) =>
        OpenAiErrors.WriteAsync(context, StatusCodes.Status404NotFound,
            $"There is no collection '{name}'. Collections are made by the embed_documents task.", "invalid_request_error", "collection", "collection_not_found");
}

internal sealed record CollectionObject(string Id, string Object, string Model, int Dimensions, int Documents, int Chunks, long CreatedAt, long UpdatedAt)
{
    public static CollectionObject From(CollectionInfo c) =>
        new(c.Name, "collection", c.Model, c.Dimensions, c.Documents, c.Chunks, c.CreatedAt.ToUnixTimeSeconds(), c.UpdatedAt.ToUnixTimeSeconds());
}

internal sealed record CollectionList(string Object, IReadOnlyList<CollectionObject> Data);

internal sealed record DeletedObject(string Id, string Object, bool Deleted);

/// <param name="End">Where the chunk ends in the document's text (exclusive), like <paramref name="Start"/> in UTF-16 code units.</param>
internal sealed record SearchResultObject(string Object, string DocumentId, int Chunk, float Score, string Text, int Start, int End, JsonElement? Metadata);

internal sealed record SearchUsage(int PromptTokens, int TotalTokens);

internal sealed record SearchResponse(string Object, string Collection, string Model, IReadOnlyList<SearchResultObject> Data, SearchUsage Usage);
