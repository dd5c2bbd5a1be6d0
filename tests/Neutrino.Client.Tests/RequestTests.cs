using System.Net;
using System.Text.Json;
using Neutrino.Client.Tests.Infrastructure;

namespace Neutrino.Client.Tests;

public sealed class RequestTests
{
    private sealed record EchoArgs(string Greeting, int RepeatCount);

    private const string SyncAnswer = """{"task_id":"t-1","name":"echo","status":"completed","result":{"greeting":"hi"},"duration_ms":89,"worker_id":"fastpool-1"}""";

    [Fact]
    public async Task Run_posts_snake_case_args_with_the_bearer_key()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK, SyncAnswer);

        await Clients.Over(stub).RunAsync<EchoArgs, JsonElement>("echo", new EchoArgs("hi", 2));

        var sent = Assert.Single(stub.Sent);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("http://gateway.test/api/echo", sent.Uri.AbsoluteUri);
        Assert.Equal($"Bearer {Clients.ApiKey}", sent.Header("Authorization"));
        Assert.Equal("application/json", sent.ContentType);
        Assert.Equal("""{"args":{"greeting":"hi","repeat_count":2}}""", sent.Body);
        Assert.Null(sent.Header("Idempotency-Key"));
    }

    [Fact]
    public async Task Submit_sends_priority_and_idempotency_key()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.Accepted, Json.Accepted());

        await Clients.Over(stub).SubmitAsync("sleep", new { Ms = 500 }, new SubmitOptions { Priority = TaskPriority.Low, IdempotencyKey = "order-1234" });

        var sent = Assert.Single(stub.Sent);
        Assert.Equal("/api/sleep", sent.PathAndQuery);
        Assert.Equal("order-1234", sent.Header("Idempotency-Key"));
        Assert.Equal("""{"args":{"ms":500},"priority":"low"}""", sent.Body);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("caf\u00e9")]
    public async Task An_unusable_idempotency_key_is_refused_before_anything_is_sent(string key)
    {
        var stub = new StubHandler();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            Clients.Over(stub).SubmitAsync("sleep", new { Ms = 1 }, new SubmitOptions { IdempotencyKey = key }));

        Assert.Empty(stub.Sent);
    }

    [Fact]
    public async Task Path_segments_are_escaped()
    {
        var stub = new StubHandler().ThenProblem(HttpStatusCode.NotFound, """{"title":"Task not found","status":404}""");

        await Assert.ThrowsAsync<TaskNotFoundException>(() => Clients.Over(stub).GetAsync("a/b?c"));

        Assert.Equal("/tasks/a%2Fb%3Fc", Assert.Single(stub.Sent).PathAndQuery);
    }

    [Fact]
    public async Task A_base_address_with_a_path_keeps_it()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK, Json.Task("running"));

        await Clients.Over(stub, baseAddress: new Uri("http://host.test/neutrino")).GetAsync(Json.TaskId);

        Assert.Equal($"http://host.test/neutrino/tasks/{Json.TaskId}", Assert.Single(stub.Sent).Uri.AbsoluteUri);
    }

    [Fact]
    public async Task Without_options_the_http_clients_own_address_and_headers_are_used()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK, "[]");
        using var http = new HttpClient(stub) { BaseAddress = new Uri("http://own.test/") };
        http.DefaultRequestHeaders.Add("X-Api-Key", "nk_own");

        await new NeutrinoClient(http).CatalogAsync();

        var sent = Assert.Single(stub.Sent);
        Assert.Equal("http://own.test/api", sent.Uri.AbsoluteUri);
        Assert.Null(sent.Header("Authorization"));
        Assert.Equal("nk_own", sent.Header("X-Api-Key"));
    }

    [Fact]
    public async Task Without_any_address_the_client_says_what_is_missing()
    {
        using var http = new HttpClient(new StubHandler());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new NeutrinoClient(http).CatalogAsync());

        Assert.Contains("BaseAddress", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_deletes_and_retry_posts_to_the_task()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.OK, Json.Task("cancelled"))
            .ThenJson(HttpStatusCode.Accepted, Json.Accepted());
        var client = Clients.Over(stub);

        await client.CancelAsync(Json.TaskId);
        await client.RetryAsync(Json.TaskId);

        Assert.Equal(HttpMethod.Delete, stub.Sent[0].Method);
        Assert.Equal($"/tasks/{Json.TaskId}", stub.Sent[0].PathAndQuery);
        Assert.Equal(HttpMethod.Post, stub.Sent[1].Method);
        Assert.Equal($"/tasks/{Json.TaskId}/retry", stub.Sent[1].PathAndQuery);
        Assert.Null(stub.Sent[1].Body);
    }

    [Fact]
    public async Task List_puts_every_filter_in_the_query_string()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.OK, """{"items":[],"next_cursor":null}""")
            .ThenJson(HttpStatusCode.OK, """{"items":[],"next_cursor":null}""");
        var client = Clients.Over(stub);

        await client.ListAsync(new TaskQuery { Status = TaskState.Failed, Name = "embed docs", Pool = "gpu", Tenant = "acme", Limit = 10, Cursor = "c&1" });
        await client.ListAsync();

        Assert.Equal("/tasks?status=failed&name=embed%20docs&pool=gpu&tenant=acme&limit=10&cursor=c%261", stub.Sent[0].PathAndQuery);
        Assert.Equal("/tasks", stub.Sent[1].PathAndQuery);
    }

    [Fact]
    public async Task The_newer_filters_and_delete_by_filter_go_into_the_query_string()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.OK, """{"items":[],"next_cursor":null}""")
            .ThenJson(HttpStatusCode.OK, """{"deleted":2,"more":true}""");
        var client = Clients.Over(stub);
        var query = new TaskQuery
        {
            Status = TaskState.Completed, Mode = TaskMode.Gpu, Priority = TaskPriority.Low, Worker = "gpupool-1/42",
            From = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), Search = "50% off", Limit = 5, Cursor = "c",
        };

        await client.ListAsync(query);
        var deleted = await client.DeleteFinishedAsync(query, limit: 100);

        Assert.Equal("/tasks?status=completed&mode=gpu&priority=low&worker=gpupool-1%2F42&from=2026-12-01T00%3A00%3A00.0000000%2B00%3A00&q=50%25%20off&limit=5&cursor=c", stub.Sent[0].PathAndQuery);
        Assert.Equal(HttpMethod.Delete, stub.Sent[1].Method);
        Assert.Equal("/tasks?status=completed&mode=gpu&priority=low&worker=gpupool-1%2F42&from=2026-12-01T00%3A00%3A00.0000000%2B00%3A00&q=50%25%20off&limit=100", stub.Sent[1].PathAndQuery);
        Assert.Equal(new TasksDeleted(2, true), deleted);
    }

    [Fact]
    public async Task Admin_calls_go_to_their_routes_with_snake_case_bodies()
    {
        var key = """{"id":"k-1","name":"ci","tenant":"acme","role":"member","created_at":"2026-12-02T10:00:00+00:00","last_used_at":null,"revoked_at":"2026-12-03T10:00:00+00:00"}""";
        var tenant = """{"name":"acme","max_queued":100,"submissions_per_second":null,"queued":3}""";
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.Created, """{"id":"k-1","key":"nk_secret","name":"ci","tenant":"acme","role":"member","created_at":"2026-12-02T10:00:00+00:00"}""")
            .ThenJson(HttpStatusCode.OK, $"[{key}]")
            .ThenJson(HttpStatusCode.OK, key)
            .ThenJson(HttpStatusCode.OK, tenant)
            .ThenJson(HttpStatusCode.OK, $"[{tenant}]");
        var client = Clients.Over(stub);

        await client.CreateKeyAsync("ci", "acme", ApiKeyRole.Member);
        await client.ListKeysAsync();
        await client.RevokeKeyAsync("k-1");
        await client.SetTenantQuotaAsync("acme", new TenantQuota(MaxQueued: 100));
        await client.ListTenantsAsync();

        Assert.Equal(
            ["POST /admin/keys", "GET /admin/keys", "DELETE /admin/keys/k-1", "PUT /admin/tenants/acme", "GET /admin/tenants"],
            stub.Sent.Select(s => $"{s.Method} {s.PathAndQuery}"));
        Assert.Equal("""{"name":"ci","tenant":"acme","role":"member"}""", stub.Sent[0].Body);
        Assert.Equal("""{"max_queued":100}""", stub.Sent[3].Body);
    }
}
