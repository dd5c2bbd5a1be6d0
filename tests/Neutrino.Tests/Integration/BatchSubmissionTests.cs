using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary><c>POST /tasks/batch</c>: many queued tasks in one request, each admitted and answered on its own.</summary>
[Collection(SystemCollection.Name)]
public sealed class BatchSubmissionTests(SystemFixture fixture)
{
    private static readonly int[] AcceptedPositions = [0, 2, 8];

    private readonly HttpClient _client = fixture.System.CreateClient();

    [Fact]
    public async Task Each_task_of_a_batch_is_answered_on_its_own_in_order_and_the_accepted_ones_run()
    {
        var (status, body) = await BatchAsync(_client, """
            {"tasks": [
              {"task": "sleep", "args": {"ms": 1}},
              {"task": "no-such-task", "args": {}},
              {"task": "sleep", "args": {"ms": 1}, "priority": "high"},
              {"task": "echo", "args": {"n": 1}},
              {"task": "sleep", "args": {"s": "\u0000"}},
              {"task": "sleep", "args": {"ms": 1}, "priority": "urgent"},
              {"args": {"ms": 1}},
              {"task": "sleep", "args": {"ms": 1}, "colour": "red"},
              {"task": "sleep", "args": {"ms": 2}}
            ]}
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        var tasks = body!["tasks"]!.AsArray();
        Assert.Equal([202, 404, 202, 400, 400, 400, 400, 400, 202], tasks.Select(t => t!["status"]!.GetValue<int>()));
        Assert.Equal((3, 6), (body["accepted"]!.GetValue<int>(), body["refused"]!.GetValue<int>()));
        Assert.Contains("sync task", tasks[3]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("\\u0000", tasks[4]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("priority", tasks[5]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("'task'", tasks[6]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("colour", tasks[7]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        var accepted = AcceptedPositions.Select(i => Guid.Parse(tasks[i]!["task_id"]!.GetValue<string>())).ToList();
        Assert.Equal(3, accepted.Distinct().Count());
        foreach (var id in accepted)
        {
            Assert.Equal("completed", (await _client.WaitForTerminalAsync(id)).Status());
        }
        Assert.Equal("high", (await _client.GetTaskAsync(accepted[1]))!["priority"]!.GetValue<string>());
        Assert.Equal(2, (await _client.GetTaskAsync(accepted[2]))!["args"]!["ms"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_task_repeated_with_its_idempotency_key_answers_with_the_first_task()
    {
        var key = Guid.NewGuid().ToString("N");
        var batch = $$"""{"tasks": [{"task": "sleep", "args": {"ms": 1}, "idempotency_key": "{{key}}"}]}""";
        var (_, first) = await BatchAsync(_client, batch);
        var (_, second) = await BatchAsync(_client, batch);
        var (_, reused) = await BatchAsync(_client, $$"""{"tasks": [{"task": "sleep", "args": {"ms": 9}, "idempotency_key": "{{key}}"}]}""");

        var original = first!["tasks"]![0]!;
        var repeat = second!["tasks"]![0]!;
        Assert.Equal((202, false), (original["status"]!.GetValue<int>(), original["replayed"]!.GetValue<bool>()));
        Assert.Equal((202, true), (repeat["status"]!.GetValue<int>(), repeat["replayed"]!.GetValue<bool>()));
        Assert.Equal(original["task_id"]!.GetValue<string>(), repeat["task_id"]!.GetValue<string>());
        Assert.Equal(422, reused!["tasks"]![0]!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_batch_is_recorded_under_the_callers_tenant()
    {
        using var second = fixture.System.CreateClient(fixture.SecondApiKey);
        var (_, body) = await BatchAsync(second, """{"tasks": [{"task": "sleep", "args": {"ms": 1}}]}""");
        var id = Guid.Parse(body!["tasks"]![0]!["task_id"]!.GetValue<string>());

        Assert.Equal("second", (await second.GetTaskAsync(id))!["tenant"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"tasks": []}""")]
    [InlineData("""{"tasks": {}}""")]
    [InlineData("""{"tasks": [1]}""")]
    [InlineData("""{"tasks": [{"task": "sleep"}], "more": 1}""")]
    [InlineData("""{"tasks": [{"task": "sleep"}""")]
    public async Task A_body_that_is_not_a_batch_is_400_and_nothing_is_submitted(string batch)
    {
        var (status, body) = await BatchAsync(_client, batch);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(string.IsNullOrEmpty(body!["detail"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_batch_over_the_limit_is_400_naming_it()
    {
        var (status, body) = await BatchAsync(_client, "{\"tasks\": [" + string.Join(',', Enumerable.Repeat("""{"task":"sleep"}""", 1001)) + "]}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("1 to 1000 tasks", body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> BatchAsync(HttpClient client, string batch)
    {
        using var content = new StringContent(batch, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/tasks/batch", content);
        return (response.StatusCode, await TaskClient.ReadJsonAsync(response));
    }
}
