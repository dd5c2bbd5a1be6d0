using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

[Collection(SystemCollection.Name)]
public sealed class ApiContractTests(SystemFixture fixture)
{
    private readonly HttpClient _client = fixture.System.CreateClient();

    [Fact]
    public async Task The_catalog_lists_every_registered_task_with_its_mode_and_pool()
    {
        var catalog = (await TaskClient.ReadJsonAsync(await _client.GetAsync("/api")))!.AsArray();
        var byName = catalog.ToDictionary(t => t!["name"]!.GetValue<string>(), t => t!);

        Assert.Equal(("sync", "fast"), (byName["echo"]["mode"]!.GetValue<string>(), byName["echo"]["pool"]!.GetValue<string>()));
        Assert.Equal(("async", "async"), (byName["sleep"]["mode"]!.GetValue<string>(), byName["sleep"]["pool"]!.GetValue<string>()));
        Assert.Equal(5, byName["fail"]["max_attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_unknown_task_is_404_problem_json()
    {
        var (status, problem, response) = await _client.PostAsync("no-such-task", "{}");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("no-such-task", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("echo")]
    [InlineData("sleep")]
    public async Task A_malformed_body_is_400_whatever_the_mode(string task)
    {
        var (status, problem, response) = await _client.PostAsync(task, """{"args": {"ms": 1""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("not valid JSON", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/echo", HttpStatusCode.MethodNotAllowed)]
    [InlineData("/nowhere", HttpStatusCode.NotFound)]
    public async Task Unmatched_requests_are_problem_json_too(string path, HttpStatusCode status)
    {
        var response = await _client.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_priority_is_400()
    {
        var (status, problem, _) = await _client.PostAsync("sleep", """{"args":{"ms":1},"priority":"asap"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("priority", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("echo")]
    [InlineData("sleep")]
    public async Task A_body_over_the_limit_is_413(string task)
    {
        var (status, _, _) = await _client.PostAsync(task, $$"""{"args":"{{new string('x', 1 << 20)}}"}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
    }

    [Fact]
    public async Task Requests_without_a_valid_key_are_401_and_either_header_carries_the_key()
    {
        using var anonymous = fixture.System.CreateClient(authenticated: false);

        var missing = await anonymous.PostAsync("echo", "{}");
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/tasks") { Headers = { { "Authorization", "Bearer nk_wrong" } } };
        var wrongResponse = await anonymous.SendAsync(wrong);
        using var viaHeader = new HttpRequestMessage(HttpMethod.Get, "/api") { Headers = { { "X-Api-Key", fixture.System.ApiKey } } };
        var headerResponse = await anonymous.SendAsync(viaHeader);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.Status);
        Assert.Equal("application/problem+json", missing.Response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, headerResponse.StatusCode);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    [InlineData("/metrics")]
    public async Task Health_and_metrics_need_no_key(string path)
    {
        using var anonymous = fixture.System.CreateClient(authenticated: false);
        var response = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("01a20cb2-0000-7000-8000-000000000000")]
    public async Task An_unknown_task_id_is_404(string id)
    {
        var response = await _client.GetAsync($"/tasks/{id}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Listing_is_newest_first_filtered_and_paged_by_cursor()
    {
        var mine = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            mine.Add(await _client.SubmitAsync("sleep", """{"args":{"ms":1},"priority":"high"}"""));
        }
        foreach (var id in mine)
        {
            await _client.WaitForTerminalAsync(id);
        }

        var seen = new List<Guid>();
        string? cursor = null;
        for (var page = 0; page < 100 && seen.Count < mine.Count; page++)
        {
            var url = "/tasks?name=sleep&status=completed&pool=async&limit=2" + (cursor is null ? "" : $"&cursor={cursor}");
            var body = (await TaskClient.ReadJsonAsync(await _client.GetAsync(url)))!;
            var items = body["items"]!.AsArray();
            Assert.InRange(items.Count, 1, 2);
            Assert.All(items, item => Assert.Equal(("sleep", "completed"), (item!["name"]!.GetValue<string>(), item["status"]!.GetValue<string>())));
            seen.AddRange(items.Select(item => Guid.Parse(item!["id"]!.GetValue<string>())).Where(mine.Contains));
            cursor = body["next_cursor"]?.GetValue<string>();
            // Until all of ours are seen there must be a next page; after that, only if older tasks exist.
            Assert.True(cursor is not null || seen.Count == mine.Count, "no next page before all of the tasks were listed");
        }

        Assert.Equal(Enumerable.Reverse(mine), seen);
    }

    [Theory]
    [InlineData("/tasks?status=done")]
    [InlineData("/tasks?limit=0")]
    [InlineData("/tasks?cursor=xyz")]
    [InlineData("/tasks/01a20cb2-0000-7000-8000-000000000000?wait=100000")]
    public async Task Bad_query_parameters_are_400(string url)
    {
        var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_dashboard_lists_tasks_and_filters_by_status()
    {
        var id = await _client.SubmitAsync("fail", """{"args":{"times":0}}""");
        await _client.WaitForTerminalAsync(id);
        using var browser = await DashboardClient.LoggedInAsync(fixture.System, fixture.System.ApiKey);

        var completed = await browser.GetStringAsync("/?status=completed");
        var failed = await browser.GetStringAsync("/?status=failed");

        Assert.Contains(id.ToString(), completed, StringComparison.Ordinal);
        Assert.DoesNotContain(id.ToString(), failed, StringComparison.Ordinal);
        Assert.Contains("<option value=\"completed\" selected", completed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_asks_for_a_key_and_a_revoked_key_logs_its_session_out()
    {
        using var anonymous = DashboardClient.Anonymous(fixture.System);
        var page = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);

        Assert.EndsWith("/login?failed=1", (await DashboardClient.LoginAsync(anonymous, "nk_not_a_key")).Headers.Location!.ToString(), StringComparison.Ordinal);
        using var member = DashboardClient.Anonymous(fixture.System);
        Assert.EndsWith("/tasks", (await DashboardClient.LoginAsync(member, fixture.SecondApiKey)).Headers.Location!.ToString(), StringComparison.Ordinal); // a member key

        using var adminApi = fixture.System.CreateClient();
        var created = (await TaskClient.ReadJsonAsync(await adminApi.PostAsJsonAsync("/admin/keys", new { name = "ops", tenant = "ops", role = "admin" })))!;
        using var browser = await DashboardClient.LoggedInAsync(fixture.System, created["key"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);

        await adminApi.DeleteAsync($"/admin/keys/{created["id"]!.GetValue<string>()}");

        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task Every_state_change_of_a_queued_task_is_an_event_in_the_history()
    {
        var id = await _client.SubmitAsync("fail", """{"args":{"times":1}}""");
        await _client.WaitForTerminalAsync(id);

        var events = await History.EventsAsync(fixture.System.TasksConnectionString, id);

        Assert.Equal(["queued:0", "running:1", "queued:1", "running:2", "completed:2"], events);
    }
}
