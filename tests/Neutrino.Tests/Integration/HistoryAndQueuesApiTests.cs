using System.Net;
using System.Text.Json.Nodes;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>
/// The API behind the dashboard: a task's history at <c>GET /tasks/{id}/events</c>, the list's search and
/// filters, and the admin's view of the queues and the dead letters, with requeue and purge.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class HistoryAndQueuesApiTests(SystemFixture fixture)
{
    private readonly HttpClient _admin = fixture.System.CreateClient();

    [Fact]
    public async Task A_tasks_history_is_served_in_order_to_its_tenant_and_to_admins_only()
    {
        var id = await _admin.SubmitAsync("fail", """{"args":{"times":1}}""");
        await _admin.WaitForTerminalAsync(id);

        var history = await TaskClient.ReadJsonAsync(await _admin.GetAsync($"/tasks/{id}/events"));
        var events = history!["events"]!.AsArray();
        Assert.Equal(["queued:0", "running:1", "queued:1", "running:2", "completed:2"],
            events.Select(e => $"{e!["status"]}:{e["attempt"]}"));
        Assert.Equal(id.ToString(), history["task_id"]!.GetValue<string>());
        Assert.Contains("planned failure", events[2]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(events[1]!["worker_id"]!.GetValue<string>());

        using var member = fixture.System.CreateClient(fixture.SecondApiKey);
        Assert.Equal(HttpStatusCode.NotFound, (await member.GetAsync($"/tasks/{id}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync($"/tasks/{Guid.CreateVersion7()}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync("/tasks/not-an-id/events")).StatusCode);
    }

    [Fact]
    public async Task The_list_finds_text_in_args_results_and_errors_and_an_id_by_its_prefix_and_filters_by_mode_and_time()
    {
        var word = $"narwhal{Guid.NewGuid():N}"[..18];
        var (_, echoed, _) = await _admin.PostAsync("echo", $"{{\"args\":{{\"text\":\"{word}\"}}}}");
        var echoId = echoed!["task_id"]!.GetValue<string>();
        var other = await _admin.SubmitAsync("sleep", """{"args":{"ms":1}}""");
        await _admin.WaitForTerminalAsync(other);

        // A sync task's row is written beside its answer, not before it.
        Assert.Equal([echoId], await Eventually.ReadAsync(() => IdsAsync($"/tasks?q={word}"), ids => ids.Count > 0, TimeSpan.FromSeconds(30), "the echo task's row"));
        Assert.Equal([echoId], await IdsAsync($"/tasks?q={word.ToUpperInvariant()}&mode=sync"));
        Assert.Empty(await IdsAsync($"/tasks?q={word}&mode=async"));
        Assert.Equal([other.ToString()], await IdsAsync($"/tasks?q={other.ToString()[..18]}"));
        // UUIDv7 ids carry their creation time: a time range is a range of keys.
        Assert.Contains(echoId, await IdsAsync($"/tasks?q={word}&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"))}"));
        Assert.Empty(await IdsAsync($"/tasks?q={word}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"))}"));

        // % and _ are the text's own, not patterns.
        Assert.DoesNotContain(echoId, await IdsAsync("/tasks?q=%25%25%25"));
        foreach (var (query, named) in new[] { ("q=ab", "q"), ("mode=turbo", "mode"), ("priority=urgent", "priority"), ("from=2026-01-02&to=2026-01-01", "from") })
        {
            var response = await _admin.GetAsync($"/tasks?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains($"'{named}'", (await TaskClient.ReadJsonAsync(response))!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Admins_see_the_queues_and_requeue_or_purge_dead_letters_members_may_not()
    {
        var dead = await _admin.SubmitAsync("fail", """{"args":{"times":9}}""");
        Assert.Equal("failed", (await _admin.WaitForTerminalAsync(dead)).Status());

        var queues = (await TaskClient.ReadJsonAsync(await _admin.GetAsync("/admin/queues")))!;
        Assert.Contains(queues["consumers"]!.AsArray(), c => c!["pool"]!.GetValue<string>() == "async" && c["priority"]!.GetValue<string>() == "normal");
        Assert.True(queues["dead_letters"]!.AsArray().Single(d => d!["pool"]!.GetValue<string>() == "async")!["messages"]!.GetValue<long>() >= 1);
        // The depth over time: samples of each pool, oldest first.
        var history = queues["history"]!.AsArray();
        Assert.Contains(history, h => h!["pool"]!.GetValue<string>() == "async");
        var times = history.Select(h => DateTimeOffset.Parse(h!["at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.Order(), times);

        var letter = await FindDeadLetterAsync(dead);
        Assert.NotNull(letter);
        Assert.Contains("planned failure", letter!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        // Whose task it was, from the task's row (the queued message does not carry it).
        Assert.Equal((await _admin.GetTaskAsync(dead))!["tenant"]!.GetValue<string>(), letter["tenant"]!.GetValue<string>());
        var sequence = letter["sequence"]!.GetValue<ulong>();

        using var member = fixture.System.CreateClient(fixture.SecondApiKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/admin/queues")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PostAsync($"/admin/dead-letters/{sequence}/requeue", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await _admin.PostAsync($"/admin/dead-letters/{sequence}/requeue", null)).StatusCode);
        Assert.Null(await FindDeadLetterAsync(dead));
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PostAsync($"/admin/dead-letters/{sequence}/requeue", null)).StatusCode);
        var details = await History.DetailsAsync(fixture.System.TasksConnectionString, dead);
        Assert.Contains(details, d => d.StartsWith("retried on request by key", StringComparison.Ordinal) && d.Contains("dead letters", StringComparison.Ordinal));
        // The requeued task fails again and is dead-lettered again: then the pool's letters are purged.
        Assert.Equal("failed", (await _admin.WaitForAsync(dead, s => s == "failed", TimeSpan.FromSeconds(90))).Status());
        await Eventually.ReadAsync(() => FindDeadLetterAsync(dead), l => l is not null, TimeSpan.FromSeconds(30), "the second dead letter");

        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.DeleteAsync("/admin/dead-letters")).StatusCode);
        var purged = (await TaskClient.ReadJsonAsync(await _admin.DeleteAsync("/admin/dead-letters?pool=async")))!;
        Assert.True(purged["purged"]!.GetValue<long>() >= 1);
        Assert.Null(await FindDeadLetterAsync(dead));
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.GetAsync("/admin/dead-letters?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.PostAsync("/admin/dead-letters/x/requeue", null)).StatusCode);
    }

    private async Task<JsonNode?> FindDeadLetterAsync(Guid task)
    {
        ulong? before = null;
        while (true)
        {
            var page = (await TaskClient.ReadJsonAsync(await _admin.GetAsync($"/admin/dead-letters?pool=async&limit=200{(before is { } b ? $"&before={b}" : "")}")))!;
            if (page["items"]!.AsArray().FirstOrDefault(l => l!["task_id"]?.GetValue<string>() == task.ToString()) is { } found)
            {
                return found;
            }
            if (page["next_before"] is not { } next)
            {
                return null;
            }
            before = next.GetValue<ulong>();
        }
    }

    private async Task<List<string>> IdsAsync(string path)
    {
        var response = await _admin.GetAsync(path);
        var body = await TaskClient.ReadJsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return [.. body!["items"]!.AsArray().Select(t => t!["id"]!.GetValue<string>())];
    }
}
