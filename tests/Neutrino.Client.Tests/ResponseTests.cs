using System.Net;
using System.Text.Json;
using Neutrino.Client.Tests.Infrastructure;

namespace Neutrino.Client.Tests;

public sealed class ResponseTests
{
    private sealed record SleepArgs(int Ms);

    private sealed record Embedding(string ModelName, float[] Vector);

    [Fact]
    public async Task A_sync_answer_is_read_into_a_typed_result()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK,
            """{"task_id":"t-1","name":"embed","status":"completed","result":{"model_name":"use-lite","vector":[0.5,1.5]},"duration_ms":89,"worker_id":"fastpool-1"}""",
            ("Idempotent-Replayed", "true"));

        var run = await Clients.Over(stub).RunAsync<object, Embedding>("embed", new { Text = "hi" });

        Assert.Equal("t-1", run.TaskId);
        Assert.Equal("embed", run.Name);
        Assert.Equal("use-lite", run.Result!.ModelName);
        Assert.Equal([0.5f, 1.5f], run.Result.Vector);
        Assert.Equal(TimeSpan.FromMilliseconds(89), run.Duration);
        Assert.Equal("fastpool-1", run.WorkerId);
        Assert.True(run.IsReplayed);
    }

    [Fact]
    public async Task A_queued_answer_is_a_handle_that_knows_whether_it_was_replayed()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.Accepted, Json.Accepted(), ("Location", $"/tasks/{Json.TaskId}"))
            .ThenJson(HttpStatusCode.Accepted, Json.Accepted(), ("Idempotent-Replayed", "true"));
        var client = Clients.Over(stub);

        var first = await client.SubmitAsync("sleep", new SleepArgs(500));
        var again = await client.SubmitAsync("sleep", new SleepArgs(500));

        Assert.Equal(Json.TaskId, first.Id);
        Assert.Equal(TaskState.Queued, first.Status);
        Assert.False(first.IsReplayed);
        Assert.True(again.IsReplayed);
    }

    [Fact]
    public async Task Submitting_a_sync_task_answers_a_completed_handle()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK,
            """{"task_id":"t-9","name":"echo","status":"completed","result":{},"duration_ms":3,"worker_id":"w"}""");

        var handle = await Clients.Over(stub).SubmitAsync("echo", new { });

        Assert.Equal("t-9", handle.Id);
        Assert.Equal(TaskState.Completed, handle.Status);
    }

    [Fact]
    public async Task A_task_view_is_read_field_by_field()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK, Json.Task("running"));

        var task = await Clients.Over(stub).GetAsync(Json.TaskId);

        Assert.Equal(Json.TaskId, task.Id);
        Assert.Equal("sleep", task.Name);
        Assert.Equal(TaskMode.Async, task.Mode);
        Assert.Equal(TaskState.Running, task.Status);
        Assert.Equal(TaskPriority.High, task.Priority);
        Assert.Equal(20000, task.GetArgs<SleepArgs>()!.Ms);
        Assert.Null(task.Result);
        Assert.Equal(1, task.Attempts);
        Assert.Equal(3, task.MaxAttempts);
        Assert.Equal(0.5, task.Progress);
        Assert.Equal("halfway", task.ProgressMessage);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 10, 21, 45, TimeSpan.Zero).AddTicks(1246350), task.CreatedAt);
        Assert.Null(task.CompletedAt);
        Assert.Null(task.Duration);
        Assert.Equal("78c87ccf906a3b52f4f443cbb48128e4", task.TraceId);
        Assert.Equal("default", task.Tenant);
        Assert.False(task.IsTerminal);
    }

    [Fact]
    public async Task GetResult_reads_a_completed_tasks_result_and_refuses_any_other()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.OK, Json.Task("completed", result: """{"model_name":"m","vector":[1]}"""))
            .ThenJson(HttpStatusCode.OK, Json.Task("failed", error: "\"boom after 3 attempts\""));
        var client = Clients.Over(stub);

        var completed = await client.GetAsync(Json.TaskId);
        var failed = await client.GetAsync(Json.TaskId);

        Assert.Equal("m", completed.GetResult<Embedding>()!.ModelName);
        Assert.True(failed.IsTerminal);
        var error = Assert.Throws<InvalidOperationException>(() => failed.GetResult<Embedding>());
        Assert.Contains("failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("boom after 3 attempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_client_reads_results_with_the_serializer_options_it_was_given()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK,
            """{"task_id":"t","name":"echo","status":"completed","result":{"ModelName":"pascal","Vector":[]},"duration_ms":1,"worker_id":"w"}""");
        var client = new NeutrinoClient(new HttpClient(stub), new NeutrinoClientOptions
        {
            BaseAddress = Clients.Gateway,
            SerializerOptions = new JsonSerializerOptions(),
        });

        var run = await client.RunAsync<object, Embedding>("echo", new { A = 1 });

        Assert.Equal("pascal", run.Result!.ModelName);
        Assert.Equal("""{"args":{"A":1}}""", Assert.Single(stub.Sent).Body);
    }

    [Fact]
    public async Task The_catalog_is_read_with_modes_and_timeouts()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK,
            """[{"name":"echo","mode":"sync","pool":"fast","timeout_ms":5000,"max_attempts":1},{"name":"embed","mode":"gpu","pool":"gpu","timeout_ms":300000,"max_attempts":3,"args_schema":{"type":"object"}}]""");

        var catalog = await Clients.Over(stub).CatalogAsync();

        Assert.Equal(["echo", "embed"], catalog.Select(c => c.Name));
        Assert.Equal([TaskMode.Sync, TaskMode.Gpu], catalog.Select(c => c.Mode));
        Assert.Equal(TimeSpan.FromMinutes(5), catalog[1].Timeout);
        Assert.Equal(3, catalog[1].MaxAttempts);
        Assert.Null(catalog[0].ArgsSchema);
        Assert.Equal("object", catalog[1].ArgsSchema!.Value.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_cancel_of_a_running_task_answers_it_still_running()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.Accepted, Json.Task("running"));

        var task = await Clients.Over(stub).CancelAsync(Json.TaskId);

        Assert.Equal(TaskState.Running, task.Status);
    }

    [Fact]
    public async Task Admin_answers_are_read()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.Created, """{"id":"k-1","key":"nk_secret","name":"ci","tenant":"acme","role":"admin","created_at":"2026-12-02T10:00:00+00:00"}""")
            .ThenJson(HttpStatusCode.OK, """[{"id":"k-1","name":"ci","tenant":"acme","role":"member","created_at":"2026-12-02T10:00:00+00:00","last_used_at":null,"revoked_at":"2026-12-03T10:00:00+00:00"}]""")
            .ThenJson(HttpStatusCode.OK, """[{"name":"acme","max_queued":100,"submissions_per_second":null,"queued":3}]""");
        var client = Clients.Over(stub);

        var created = await client.CreateKeyAsync("ci", "acme", ApiKeyRole.Admin);
        var key = Assert.Single(await client.ListKeysAsync());
        var tenant = Assert.Single(await client.ListTenantsAsync());

        Assert.Equal("nk_secret", created.Key);
        Assert.Equal(ApiKeyRole.Admin, created.Role);
        Assert.DoesNotContain("nk_secret", created.ToString(), StringComparison.Ordinal);
        Assert.Equal(ApiKeyRole.Member, key.Role);
        Assert.Null(key.LastUsedAt);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero), key.RevokedAt);
        Assert.Equal(new TenantInfo("acme", 100, null, 3), tenant);
    }
}
