using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

[Collection(SystemCollection.Name)]
public sealed class IdempotencyTests(SystemFixture fixture)
{
    private readonly HttpClient _client = fixture.System.CreateClient();

    [Fact]
    public async Task A_repeated_queued_request_returns_the_original_task()
    {
        var key = NewKey();
        var first = await PostAsync(_client, "sleep", """{"args":{"ms":1}}""", key);
        var second = await PostAsync(_client, "sleep", """{"args":{"ms":1}}""", key);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.Status, second.Status));
        Assert.Equal(TaskId(first.Body), TaskId(second.Body));
        Assert.False(first.Response.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", second.Response.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_create_one_task()
    {
        var key = NewKey();
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => PostAsync(_client, "sleep", """{"args":{"ms":1}}""", key)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.Status));
        Assert.Single(responses.Select(r => TaskId(r.Body)).Distinct());
        Assert.Single(responses, r => !r.Response.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task A_flood_of_duplicates_from_concurrent_clients_creates_one_task_per_key()
    {
        var keys = Enumerable.Range(0, 20).Select(_ => NewKey()).ToArray();
        var requests = keys.SelectMany(key => Enumerable.Repeat(key, 10)).OrderBy(_ => Random.Shared.Next()).ToArray();
        var next = -1;
        var results = new System.Collections.Concurrent.ConcurrentBag<(string Key, HttpStatusCode Status, string? TaskId)>();

        await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < requests.Length)
            {
                var response = await PostAsync(_client, "sleep", """{"args":{"ms":1}}""", requests[i]);
                results.Add((requests[i], response.Status, response.Body?["task_id"]?.GetValue<string>()));
            }
        }));

        Assert.Equal(requests.Length, results.Count);
        Assert.All(results, r => Assert.Equal(HttpStatusCode.Accepted, r.Status));
        var byKey = results.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Select(r => r.TaskId).Distinct().ToList());
        Assert.All(byKey.Values, ids => Assert.Single(ids));
        Assert.Equal(keys.Length, byKey.Values.Select(ids => ids[0]).Distinct().Count());
    }

    [Fact]
    public async Task A_repeated_sync_request_returns_the_original_result()
    {
        var key = NewKey();
        var first = await PostAsync(_client, "echo", """{"args":{"n":42}}""", key);
        var second = await PostAsync(_client, "echo", """{"args":{"n":42}}""", key);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.Status, second.Status));
        Assert.Equal(TaskId(first.Body), TaskId(second.Body));
        Assert.True(JsonNode.DeepEquals(first.Body!["result"], second.Body!["result"]));
        Assert.Equal("true", second.Response.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task A_key_reused_with_another_request_is_422()
    {
        var key = NewKey();
        var first = await PostAsync(_client, "sleep", """{"args":{"ms":1}}""", key);
        var other = await PostAsync(_client, "sleep", """{"args":{"ms":2}}""", key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.Status);
        Assert.Equal(TaskId(first.Body), other.Body!["task_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Keys_belong_to_their_caller()
    {
        using var secondCaller = fixture.System.CreateClient(authenticated: false);
        secondCaller.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.SecondApiKey);
        var key = NewKey();

        var mine = await PostAsync(_client, "sleep", """{"args":{"ms":1}}""", key);
        var theirs = await PostAsync(secondCaller, "sleep", """{"args":{"ms":1}}""", key);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (mine.Status, theirs.Status));
        Assert.NotEqual(TaskId(mine.Body), TaskId(theirs.Body));
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("")]
    public async Task An_unusable_key_is_400(string key)
    {
        var response = await PostAsync(_client, "sleep", """{"args":{"ms":1}}""", key);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
    }

    private static string NewKey() => "test-" + Guid.NewGuid().ToString("N");

    private static string TaskId(JsonNode? body) => body!["task_id"]!.GetValue<string>();

    private static async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PostAsync(HttpClient client, string task, string body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/{task}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        var response = await client.SendAsync(request);
        return (response.StatusCode, await TaskClient.ReadJsonAsync(response), response);
    }
}
