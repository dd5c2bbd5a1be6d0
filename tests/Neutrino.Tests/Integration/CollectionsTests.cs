using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>Collections through the gateway: <c>embed_documents</c> fills them per caller, <c>/v1/collections</c> searches and manages them.</summary>
[Collection(SystemCollection.Name)]
public sealed class CollectionsTests(SystemFixture fixture) : IDisposable
{
    private static readonly string Cats = string.Join(' ', Enumerable.Repeat(
        "Cats are small domesticated felines that purr, sleep most of the day and hunt mice at night.", 12));

    private const string Markets = "Stock markets fell sharply today as investors worried about interest rates and inflation.";
    private const string Cooking = "To bake bread, mix flour, water, yeast and salt, let the dough rise, then bake it in a hot oven.";

    private readonly HttpClient _client = fixture.System.CreateClient();
    private readonly HttpClient _other = ClientFor(fixture.System, fixture.SecondApiKey);

    [Fact]
    public async Task Documents_embedded_by_the_task_are_found_by_search()
    {
        var collection = NewName();
        var task = await EmbedDocumentsAsync(_client, collection, $$$"""
            [{"id":"cats","text":"{{{Cats}}}","metadata":{"topic":"pets"}},
             {"id":"markets","text":"{{{Markets}}}"},
             {"id":"cooking","text":"{{{Cooking}}}"}]
            """, """ "chunk_size": 32, "chunk_overlap": 8 """);

        Assert.Equal("completed", task.Status());
        var result = task["result"]!;
        Assert.Equal(("use-lite", 3), (result["model"]!.GetValue<string>(), result["documents"]!.AsArray().Count));
        var catChunks = result["documents"]![0]!["chunks"]!.GetValue<int>();
        Assert.True(catChunks > 1, $"the long document made {catChunks} chunk(s)");
        Assert.Equal(catChunks + 2, result["chunks"]!.GetValue<int>());

        var (status, search) = await SearchAsync(_client, collection, """{"query":"Which stocks dropped on the exchange?","top_k":3}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var hits = search!["data"]!.AsArray();
        Assert.Equal(3, hits.Count);
        Assert.Equal("markets", hits[0]!["document_id"]!.GetValue<string>());
        Assert.Equal(Markets, hits[0]!["text"]!.GetValue<string>());
        Assert.Equal((0, Markets.Length), (hits[0]!["start"]!.GetValue<int>(), hits[0]!["end"]!.GetValue<int>()));
        var scores = hits.Select(h => h!["score"]!.GetValue<float>()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);

        var (_, pets) = await SearchAsync(_client, collection, """{"query":"my kitten purrs","top_k":1}""");
        var cat = pets!["data"]![0]!;
        Assert.Equal(("cats", "pets"), (cat["document_id"]!.GetValue<string>(), cat["metadata"]!["topic"]!.GetValue<string>()));
        Assert.Equal(Cats.Substring(cat["start"]!.GetValue<int>(), cat["end"]!.GetValue<int>() - cat["start"]!.GetValue<int>()), cat["text"]!.GetValue<string>());

        var info = await GetJsonAsync(_client, $"/v1/collections/{collection}");
        Assert.Equal((3, catChunks + 2, "use-lite", 512),
            (info!["documents"]!.GetValue<int>(), info["chunks"]!.GetValue<int>(), info["model"]!.GetValue<string>(), info["dimensions"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Another_caller_can_neither_see_nor_search_a_collection_even_naming_the_owner()
    {
        var collection = NewName();
        Assert.Equal("completed", (await EmbedDocumentsAsync(_client, collection, $$"""[{"id":"markets","text":"{{Markets}}"}]""")).Status());

        Assert.Equal(HttpStatusCode.NotFound, (await SearchAsync(_other, collection, """{"query":"stocks"}""")).Status);
        using (var get = await _other.GetAsync($"/v1/collections/{collection}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }
        var list = await GetJsonAsync(_other, "/v1/collections");
        Assert.DoesNotContain(list!["data"]!.AsArray(), c => c!["id"]!.GetValue<string>() == collection);

        // The gateway overwrites a tenant a client sends.
        using var spoofed = new HttpRequestMessage(HttpMethod.Post, $"/v1/collections/{collection}/search")
        {
            Content = new StringContent("""{"query":"stocks"}""", Encoding.UTF8, "application/json"),
        };
        spoofed.Headers.Add("Neutrino-Tenant", "default");
        using var response = await _other.SendAsync(spoofed);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        // The same name is the other caller's own collection.
        Assert.Equal("completed", (await EmbedDocumentsAsync(_other, collection, $$"""[{"id":"cooking","text":"{{Cooking}}"}]""")).Status());
        var (_, theirs) = await SearchAsync(_other, collection, """{"query":"stocks"}""");
        var (_, mine) = await SearchAsync(_client, collection, """{"query":"stocks"}""");
        Assert.Equal(["cooking"], theirs!["data"]!.AsArray().Select(h => h!["document_id"]!.GetValue<string>()));
        Assert.Equal(["markets"], mine!["data"]!.AsArray().Select(h => h!["document_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Embedding_a_document_again_replaces_its_chunks()
    {
        var collection = NewName();
        await EmbedDocumentsAsync(_client, collection, $$"""[{"id":"doc","text":"{{Cats}}"},{"id":"other","text":"{{Cooking}}"}]""", """ "chunk_size": 32 """);
        var (_, before) = await SearchAsync(_client, collection, """{"query":"cats purr","top_k":1}""");
        Assert.Equal("doc", before!["data"]![0]!["document_id"]!.GetValue<string>());

        var again = await EmbedDocumentsAsync(_client, collection, $$"""[{"id":"doc","text":"{{Markets}}"}]""");

        Assert.Equal("completed", again.Status());
        var info = await GetJsonAsync(_client, $"/v1/collections/{collection}");
        Assert.Equal((2, 2), (info!["documents"]!.GetValue<int>(), info["chunks"]!.GetValue<int>()));
        var (_, after) = await SearchAsync(_client, collection, """{"query":"cats purr","top_k":5,"document_ids":["doc"]}""");
        var hit = Assert.Single(after!["data"]!.AsArray());
        Assert.Equal(Markets, hit!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Documents_and_collections_can_be_removed()
    {
        var collection = NewName();
        await EmbedDocumentsAsync(_client, collection, $$"""[{"id":"markets","text":"{{Markets}}"},{"id":"cooking","text":"{{Cooking}}"}]""");
        await SearchAsync(_client, collection, """{"query":"bread"}"""); // the collection's vectors are now cached

        using (var deleted = await _client.DeleteAsync($"/v1/collections/{collection}/documents/cooking"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }
        var (_, remaining) = await SearchAsync(_client, collection, """{"query":"bread"}""");
        Assert.Equal(["markets"], remaining!["data"]!.AsArray().Select(h => h!["document_id"]!.GetValue<string>()));
        using (var again = await _client.DeleteAsync($"/v1/collections/{collection}/documents/cooking"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        using (var dropped = await _client.DeleteAsync($"/v1/collections/{collection}"))
        {
            var body = await TaskClient.ReadJsonAsync(dropped);
            Assert.Equal((HttpStatusCode.OK, true), (dropped.StatusCode, body!["deleted"]!.GetValue<bool>()));
        }
        var (status, error) = await SearchAsync(_client, collection, """{"query":"bread"}""");
        Assert.Equal((HttpStatusCode.NotFound, "collection_not_found"), (status, error!["error"]!["code"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"collection":"bad name!","documents":[{"id":"a","text":"x"}]}""", "'collection': 'bad name!' is not a collection name")]
    [InlineData("""{"collection":"c","documents":[]}""", "'documents' is required")]
    [InlineData("""{"collection":"c","documents":[{"id":"a","text":"x"},{"id":"a","text":"y"}]}""", "'documents[1].id': 'a' appears twice")]
    [InlineData("""{"collection":"c","documents":[{"id":"a","text":"  "}]}""", "'documents[0].text' must be a non-empty string")]
    [InlineData("""{"collection":"c","documents":[{"id":"a","text":"x","metadata":[1]}]}""", "'documents[0].metadata' must be a JSON object")]
    [InlineData("""{"collection":"c","documents":[{"id":"a","text":"x"}],"chunk_size":500}""", "'chunk_size' must be between 1 and 128 tokens")]
    [InlineData("""{"collection":"c","documents":[{"id":"a","text":"x"}],"chunk_size":16,"chunk_overlap":16}""", "'chunk_overlap' must be at least 0 and less than 'chunk_size' (16)")]
    [InlineData("""{"collection":"c","documents":[{"id":"a","text":"x"}],"model":"no-such-model"}""", "The model 'no-such-model' does not exist")]
    public async Task Bad_args_fail_the_task_at_once_with_the_reason(string args, string reason)
    {
        var id = await _client.SubmitAsync("embed_documents", $$"""{"args":{{args}}}""");

        var task = await _client.WaitForTerminalAsync(id);

        Assert.Equal(("failed", 1), (task.Status(), task["attempts"]!.GetValue<int>()));
        Assert.StartsWith(reason, task["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_collection_keeps_the_model_it_was_made_with()
    {
        var collection = NewName();
        await EmbedDocumentsAsync(_client, collection, $$"""[{"id":"a","text":"{{Markets}}"}]""");

        var task = await EmbedDocumentsAsync(_client, collection, $$"""[{"id":"b","text":"{{Cooking}}"}]""", """ "model": "another-model" """);

        Assert.Equal("failed", task.Status());
        Assert.StartsWith($"Collection '{collection}' holds vectors of model 'use-lite'", task["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_requests_are_checked_field_by_field()
    {
        var collection = NewName();
        await EmbedDocumentsAsync(_client, collection, $$"""[{"id":"a","text":"{{Markets}}"}]""");

        foreach (var (body, parameter) in new[] { ("{}", "query"), ("""{"query":""}""", "query"), ("""{"query":"x","top_k":0}""", "top_k"), ("""{"query":"x","document_ids":[1]}""", "document_ids") })
        {
            var (status, error) = await SearchAsync(_client, collection, body);
            Assert.Equal((HttpStatusCode.BadRequest, parameter), (status, error!["error"]!["param"]!.GetValue<string>()));
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _other.Dispose();
    }

    private static string NewName() => $"docs-{Guid.NewGuid():N}";

    private static async Task<JsonNode> EmbedDocumentsAsync(HttpClient client, string collection, string documents, string? more = null)
    {
        var id = await client.SubmitAsync("embed_documents", $$$"""{"args":{"collection":"{{{collection}}}","documents":{{{documents}}}{{{(more is null ? "" : "," + more)}}}}}""");
        return await client.WaitForTerminalAsync(id, TimeSpan.FromMinutes(2));
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SearchAsync(HttpClient client, string collection, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync($"/v1/collections/{collection}/search", content);
        return (response.StatusCode, await TaskClient.ReadJsonAsync(response));
    }

    private static async Task<JsonNode?> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TaskClient.ReadJsonAsync(response);
    }

    private static HttpClient ClientFor(NeutrinoSystem system, string key)
    {
        var client = new HttpClient { BaseAddress = system.Gateway };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
