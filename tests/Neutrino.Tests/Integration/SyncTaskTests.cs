using System.Net;
using System.Text.Json.Nodes;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

[Collection(SystemCollection.Name)]
public sealed class SyncTaskTests(SystemFixture fixture)
{
    private readonly HttpClient _client = fixture.System.CreateClient();

    [Fact]
    public async Task Echo_answers_in_the_same_request_and_is_recorded_afterwards()
    {
        var (status, body, _) = await _client.PostAsync("echo", """{"args":{"hello":"world","n":[1,2,3]}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("completed", body!["status"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"hello":"world","n":[1,2,3]}"""), body["result"]));
        var id = Guid.Parse(body["task_id"]!.GetValue<string>());

        // History is written off the request path: it appears shortly after.
        var recorded = await _client.WaitForAsync(id, s => s == "completed");
        Assert.Equal(("echo", "sync", "fast", 1), (recorded["name"]!.GetValue<string>(), recorded["mode"]!.GetValue<string>(), recorded["pool"]!.GetValue<string>(), recorded["attempts"]!.GetValue<int>()));
        Assert.StartsWith("fastpool-", recorded["worker_id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}$", recorded["trace_id"]!.GetValue<string>());
    }

    /// <summary>
    /// The fast pool's replicas sit behind one address (DCP's proxy here, a Service on Kubernetes), which
    /// spreads connections: concurrent callers, each on a connection of its own, reach every replica.
    /// </summary>
    [Fact]
    public async Task Concurrent_sync_tasks_are_spread_over_the_fast_pool_replicas()
    {
        var workers = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        for (var round = 0; round < 10 && workers.Count < 2; round++)
        {
            var callers = Enumerable.Range(0, 8).Select(async _ =>
            {
                using var caller = fixture.System.CreateClient();
                var (_, body, _) = await caller.PostAsync("echo", """{"args":null}""");
                workers.AddOrUpdate(body!["worker_id"]!.GetValue<string>(), 1, (_, n) => n + 1);
            });
            await Task.WhenAll(callers);
        }
        Assert.Equal(2, workers.Count);
    }
}
