using System.Net;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using NATS.Client.KeyValueStore;
using NATS.Net;
using Neutrino.Core.Messaging;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>The OpenAPI document: the whole public API, one operation per task of the live catalog.</summary>
[Collection(SystemCollection.Name)]
public sealed class OpenApiTests(SystemFixture fixture)
{
    [Fact]
    public async Task The_document_needs_no_key_is_valid_OpenAPI_3_1_and_lists_every_catalog_task_with_its_extensions()
    {
        using var anonymous = fixture.System.CreateClient(authenticated: false);
        var json = await anonymous.GetStringAsync("/openapi/v1.json");

        var read = OpenApiModelFactory.Parse(json, OpenApiConstants.Json);
        Assert.Empty(read.Diagnostic!.Errors);
        Assert.StartsWith("3.1", JsonNode.Parse(json)!["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        var paths = JsonNode.Parse(json)!["paths"]!;
        var catalog = (await TaskClient.ReadJsonAsync(await fixture.System.CreateClient().GetAsync("/api")))!.AsArray();
        foreach (var task in catalog)
        {
            var name = task!["name"]!.GetValue<string>();
            var operation = paths[$"/api/{name}"]?["post"];
            Assert.True(operation is not null, $"no operation for task '{name}'");
            Assert.Equal(task["mode"]!.GetValue<string>(), operation["x-neutrino-mode"]!.GetValue<string>());
            Assert.Equal(task["pool"]!.GetValue<string>(), operation["x-neutrino-pool"]!.GetValue<string>());
            Assert.Equal(task["timeout_ms"]!.GetValue<long>(), operation["x-neutrino-timeout"]!.GetValue<long>());
            Assert.Equal(task["max_attempts"]!.GetValue<int>(), operation["x-neutrino-max-attempts"]!.GetValue<int>());
        }
        // The args' schema comes from the handler's args record.
        var sleepArgs = paths["/api/sleep"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["properties"]!["args"]!;
        Assert.NotNull(sleepArgs["properties"]!["ms"]);
        Assert.NotNull(paths["/tasks/{id}"]);
        Assert.NotNull(paths["/admin/keys"]);
    }

    [Fact]
    public async Task A_task_a_pool_registers_is_in_the_document_without_a_gateway_restart()
    {
        var name = $"late-{Guid.NewGuid():N}"[..20];
        await using var nats = new NatsClient(fixture.System.NatsUrl);
        var store = await nats.CreateKeyValueStoreContext().GetStoreAsync(Subjects.CatalogBucket);
        await store.PutAsync(name, System.Text.Encoding.UTF8.GetBytes($$"""{"name":"{{name}}","mode":"async","pool":"async","timeout_ms":1000,"max_attempts":2}"""));
        try
        {
            using var anonymous = fixture.System.CreateClient(authenticated: false);
            var operation = await Eventually.ReadAsync(
                async () => JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!["paths"]![$"/api/{name}"]?["post"],
                found => found is not null, TimeSpan.FromSeconds(30), "the new task in the document");
            Assert.Equal(2, operation!["x-neutrino-max-attempts"]!.GetValue<int>());
        }
        finally
        {
            await store.DeleteAsync(name);
        }
    }

    [Fact]
    public async Task The_API_reference_page_is_served_from_the_document()
    {
        using var anonymous = fixture.System.CreateClient(authenticated: false);
        var page = await anonymous.GetAsync("/scalar/v1");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(html.Contains("openapi/v1.json", StringComparison.Ordinal), html);
    }
}
