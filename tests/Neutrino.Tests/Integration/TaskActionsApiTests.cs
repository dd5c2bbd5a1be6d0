using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>
/// What a task's record says about who acted on it: the key that submitted it and the idempotency key it
/// came with, the request to cancel it while it ran; and deleting finished tasks by filter.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class TaskActionsApiTests(SystemFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly HttpClient _admin = fixture.System.CreateClient();

    [Fact]
    public async Task A_task_records_the_key_that_submitted_it_and_its_idempotency_key_queued_or_sync()
    {
        using var member = fixture.System.CreateClient(fixture.SecondApiKey);
        var queuedKey = $"order-{Guid.NewGuid():N}";
        var (queuedStatus, queued) = await PostWithKeyAsync(member, "sleep", """{"args":{"ms":1}}""", queuedKey);
        Assert.Equal(HttpStatusCode.Accepted, queuedStatus);
        var queuedTask = await member.GetTaskAsync(Guid.Parse(queued!["task_id"]!.GetValue<string>()));
        Assert.Equal("second", queuedTask!["submitted_by"]!.GetValue<string>());
        Assert.Equal(queuedKey, queuedTask["idempotency_key"]!.GetValue<string>());

        var syncKey = $"echo-{Guid.NewGuid():N}";
        var (syncStatus, sync) = await PostWithKeyAsync(member, "echo", """{"args":{"text":"who sent me"}}""", syncKey);
        Assert.Equal(HttpStatusCode.OK, syncStatus);
        var syncId = Guid.Parse(sync!["task_id"]!.GetValue<string>());
        // A sync task's row is written beside its answer, not before it.
        var syncTask = await Eventually.ReadAsync(() => member.GetTaskAsync(syncId), t => t is not null, Bound, "the sync task's row");
        Assert.Equal("second", syncTask!["submitted_by"]!.GetValue<string>());
        Assert.Equal(syncKey, syncTask["idempotency_key"]!.GetValue<string>());

        // Without a key, none is recorded.
        var plain = await _admin.SubmitAsync("sleep", """{"args":{"ms":1}}""");
        var plainTask = await _admin.GetTaskAsync(plain);
        Assert.Null(plainTask!["idempotency_key"]);
        Assert.NotNull(plainTask["submitted_by"]);
    }

    [Fact]
    public async Task Asking_a_running_task_to_cancel_is_in_its_history_with_who_asked()
    {
        var id = await _admin.SubmitAsync("sleep", """{"args":{"ms":600000}}""");
        await _admin.WaitForAsync(id, s => s == "running", Bound);

        using var response = await _admin.DeleteAsync($"/tasks/{id}");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("cancelled", (await _admin.WaitForTerminalAsync(id, Bound)).Status());
        var events = (await TaskClient.ReadJsonAsync(await _admin.GetAsync($"/tasks/{id}/events")))!["events"]!.AsArray();
        Assert.Equal(["queued", "running", "cancel_requested", "cancelled"], events.Select(e => e!["status"]!.GetValue<string>()));
        Assert.Contains("by key", events[2]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(events[2]!["worker_id"]);
    }

    [Fact]
    public async Task Finished_tasks_matching_a_filter_are_deleted_with_their_history_in_bounded_rounds()
    {
        var word = $"pelican{Guid.NewGuid():N}"[..18];
        var doomed = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            doomed.Add(await EchoAsync(_admin, $"{word} {i}"));
        }
        var kept = await EchoAsync(_admin, $"other{Guid.NewGuid():N}");
        var failed = await _admin.SubmitAsync("fail", """{"args":{"times":9}}""");
        Assert.Equal("failed", (await _admin.WaitForTerminalAsync(failed, Bound)).Status());
        await Eventually.ReadAsync(() => CountAsync($"/tasks?q={word}"), n => n == 3, Bound, "the echo tasks' rows");

        var first = await DeleteAsync(_admin, $"/tasks?status=completed&q={word}&limit=2");
        Assert.Equal((2, true), first);
        var second = await DeleteAsync(_admin, $"/tasks?status=completed&q={word}");
        Assert.Equal((1, false), second);

        foreach (var id in doomed)
        {
            Assert.Null(await _admin.GetTaskAsync(id));
            Assert.Empty(await History.EventsAsync(fixture.System.TasksConnectionString, id));
        }
        Assert.NotNull(await _admin.GetTaskAsync(kept));
        Assert.Equal("failed", (await _admin.GetTaskAsync(failed))!.Status());
        Assert.NotEmpty(await History.EventsAsync(fixture.System.TasksConnectionString, failed));
        // Nothing more matches.
        Assert.Equal((0, false), await DeleteAsync(_admin, $"/tasks?status=completed&q={word}"));
    }

    [Fact]
    public async Task Delete_by_filter_takes_only_finished_states_and_a_member_deletes_only_its_own_tenants_tasks()
    {
        var word = $"heron{Guid.NewGuid():N}"[..16];
        var admins = await EchoAsync(_admin, word);
        using var member = fixture.System.CreateClient(fixture.SecondApiKey);
        var members = await EchoAsync(member, word);
        await Eventually.ReadAsync(() => CountAsync($"/tasks?q={word}"), n => n == 2, Bound, "both echo tasks' rows");

        foreach (var (query, named) in new[] { ("", "status"), ("status=running", "status"), ("status=queued", "status"), ("status=exploded", "status"), ("status=completed&limit=0", "limit"), ("status=completed&q=ab", "q") })
        {
            using var refused = await _admin.DeleteAsync($"/tasks?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains($"'{named}'", (await TaskClient.ReadJsonAsync(refused))!["detail"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        }
        using (var forbidden = await member.DeleteAsync($"/tasks?status=completed&q={word}&tenant=default"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        // The member's filter matches both tasks' text; only its own tenant's goes.
        Assert.Equal((1, false), await DeleteAsync(member, $"/tasks?status=completed&q={word}"));
        Assert.Null(await member.GetTaskAsync(members));
        Assert.NotNull(await _admin.GetTaskAsync(admins));
    }

    private static async Task<(HttpStatusCode, JsonNode?)> PostWithKeyAsync(HttpClient client, string task, string body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/{task}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await TaskClient.ReadJsonAsync(response));
    }

    private static async Task<Guid> EchoAsync(HttpClient client, string text)
    {
        var (status, body, _) = await client.PostAsync("echo", new JsonObject { ["args"] = new JsonObject { ["text"] = text } }.ToJsonString());
        Assert.True(status == HttpStatusCode.OK, $"expected 200, got {(int)status}: {body}");
        return Guid.Parse(body!["task_id"]!.GetValue<string>());
    }

    private async Task<int> CountAsync(string path) =>
        (await TaskClient.ReadJsonAsync(await _admin.GetAsync(path)))!["items"]!.AsArray().Count;

    private static async Task<(int Deleted, bool More)> DeleteAsync(HttpClient client, string path)
    {
        using var response = await client.DeleteAsync(path);
        var body = await TaskClient.ReadJsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        return (body!["deleted"]!.GetValue<int>(), body["more"]!.GetValue<bool>());
    }
}
