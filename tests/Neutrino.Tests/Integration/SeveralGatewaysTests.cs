using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Neutrino.Tests.Infrastructure;
using Npgsql;

namespace Neutrino.Tests.Integration;

/// <summary>
/// Two gateways and four async workers on the same NATS (a 3-server cluster) and PostgreSQL, each
/// gateway called on its own address (<see cref="ClusterFixture"/>). Every gateway runs the sweep and the reconciler, so each lost task is
/// found by both at once; it must still be queued again once and run once. Failure detection is scaled
/// down (<see cref="NeutrinoSystem.QuickFailureDetection"/>: both gateways reconcile every second).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SeveralGatewaysTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private NeutrinoSystem System => fixture.System;

    [Fact]
    public void The_system_runs_two_gateways_and_four_async_workers()
    {
        Assert.Equal(2, System.Instances("gateway").Count);
        Assert.Equal(4, System.Instances("asyncpool").Count);
        // Two addresses: the tests below talk to each gateway, not to whichever the proxy picks.
        Assert.Equal(2, System.Instances("gateway").Select(System.InstanceUrl).Distinct().Count());
    }

    [Fact]
    public async Task One_key_sent_to_both_gateways_at_once_makes_one_task()
    {
        var (first, second) = Gateways();
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var k = 0; k < 10; k++)
        {
            var key = $"both-{run}-{k}";
            // A body of its own per key (this system runs no other task of that length), to count its tasks in
            // the store; short, as a long task would keep the queue busy and the reconcile test waiting.
            var body = "{\"args\":{\"ms\":" + (1000 + k).ToString(CultureInfo.InvariantCulture) + "}}";
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => PostAsync(i % 2 == 0 ? first : second, body, key)));

            // A repeat while the first is being queued by the other gateway is 409; every 202 names the one task.
            Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.Accepted or HttpStatusCode.Conflict, $"{(int)a.Status}: {a.Body}"));
            var ids = answers.Where(a => a.Status == HttpStatusCode.Accepted).Select(a => a.TaskId).Distinct().ToList();
            Assert.Single(ids);
            // Once settled, both gateways answer with that task.
            foreach (var gateway in new[] { first, second })
            {
                var again = await Eventually.ReadAsync(() => PostAsync(gateway, body, key), a => a.Status == HttpStatusCode.Accepted, Bound, $"key {key} to be settled");
                Assert.Equal(ids[0], again.TaskId);
            }
            Assert.Equal(1, await CountTasksAsync(body));
        }
    }

    [Fact]
    public async Task A_task_submitted_to_one_gateway_is_cancelled_through_the_other()
    {
        var (first, second) = Gateways();
        var id = await first.SubmitAsync("sleep", """{"args":{"ms":600000}}""");
        await second.WaitForAsync(id, s => s == "running", Bound);

        using var response = await second.DeleteAsync($"/tasks/{id}");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("cancelled", (await first.WaitForTerminalAsync(id, Bound)).Status());
        Assert.Equal(["queued:0", "running:1", "cancel_requested:1", "cancelled:1"], await History.EventsAsync(System.TasksConnectionString, id));
    }

    [Fact]
    public async Task Tasks_recorded_but_never_published_are_published_once_by_two_reconcilers_and_run_once()
    {
        // What a gateway that died between its two steps leaves: queued rows older than ReconcileAfter, no message.
        var ids = Enumerable.Range(0, 40).Select(_ => Guid.CreateVersion7()).ToArray();
        await ExecuteAsync("""
            WITH ins AS (
                INSERT INTO tasks (id, name, mode, pool, status, priority, args, attempts, max_attempts, created_at)
                SELECT id, 'sleep', 'async', 'async', 'queued', 'normal', '{"ms":50}', 0, 3, now() - interval '10 seconds' FROM unnest($1::uuid[]) AS id
                RETURNING id, created_at)
            INSERT INTO task_events (task_id, status, attempt, at) SELECT id, 'queued', 0, created_at FROM ins
            """, ids);

        var runs = await WaitForRunsAsync(ids);

        Assert.All(runs, r => Assert.True(r is { Status: "completed", Runs: 1, Terminal: 1, Swept: 0 }, r.ToString()));
    }

    [Fact]
    public async Task Tasks_whose_worker_and_message_are_lost_are_swept_once_by_two_gateways_and_run_once()
    {
        // What a worker that died with its message lost leaves: running rows of a worker with no liveness row.
        var ids = Enumerable.Range(0, 40).Select(_ => Guid.CreateVersion7()).ToArray();
        await ExecuteAsync("""
            WITH ins AS (
                INSERT INTO tasks (id, name, mode, pool, status, priority, args, attempts, max_attempts, created_at, started_at, worker_id, run_token)
                SELECT id, 'sleep', 'async', 'async', 'running', 'normal', '{"ms":50}', 1, 3,
                       now() - interval '1 minute', now() - interval '1 minute', 'asyncpool-gone/1-dead', 'lost-run' FROM unnest($1::uuid[]) AS id
                RETURNING id, created_at, started_at)
            INSERT INTO task_events (task_id, status, attempt, at, worker_id)
            SELECT id, 'queued', 0, created_at, NULL FROM ins
            UNION ALL SELECT id, 'running', 1, started_at, 'asyncpool-gone/1-dead' FROM ins
            """, ids);

        var runs = await WaitForRunsAsync(ids);

        // One sweep event each (two sweeps taking the same task would each count a lost attempt), then one
        // real run after the lost one, as attempt 2.
        Assert.All(runs, r => Assert.True(r is { Status: "completed", Runs: 2, Terminal: 1, Swept: 1, Attempts: 2 }, r.ToString()));
    }

    private (HttpClient First, HttpClient Second) Gateways()
    {
        var gateways = System.Instances("gateway");
        return (fixture.Gateways[gateways[0]], fixture.Gateways[gateways[1]]);
    }

    private sealed record Answer(HttpStatusCode Status, Guid? TaskId, string Body);

    private static async Task<Answer> PostAsync(HttpClient client, string body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sleep") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await client.SendAsync(request);
        var json = await TaskClient.ReadJsonAsync(response);
        var id = json?["task_id"]?.GetValue<string>() is { } text && Guid.TryParse(text, out var parsed) ? parsed : (Guid?)null;
        return new Answer(response.StatusCode, id, json?.ToJsonString() ?? "");
    }

    private async Task<long> CountTasksAsync(string body)
    {
        await using var dataSource = NpgsqlDataSource.Create(System.TasksConnectionString);
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM tasks WHERE args = $1::jsonb");
        command.Parameters.Add(new() { Value = JsonNode.Parse(body)!["args"]!.ToJsonString() });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql, Guid[] ids)
    {
        await using var dataSource = NpgsqlDataSource.Create(System.TasksConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = ids });
        Assert.True(await command.ExecuteNonQueryAsync() > 0);
    }

    private sealed record TaskRuns(Guid Id, string Status, int Attempts, int Runs, int Terminal, int Swept);

    /// <summary>Once every task is terminal (bounded), and a few reconcile rounds later: each task's runs, terminal events and sweeps.</summary>
    private async Task<List<TaskRuns>> WaitForRunsAsync(Guid[] ids)
    {
        var deadline = DateTime.UtcNow + Bound;
        while ((await ReadRunsAsync(ids)).Where(r => r.Terminal == 0).ToList() is { Count: > 0 } open)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{open.Count} tasks not ended within {Bound}, e.g. {open[0]}");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
        // Both gateways go on reconciling every second: a late second publish or sweep would show by now.
        await Task.Delay(TimeSpan.FromSeconds(5));
        return await ReadRunsAsync(ids);
    }

    private async Task<List<TaskRuns>> ReadRunsAsync(Guid[] ids)
    {
        await using var dataSource = NpgsqlDataSource.Create(System.TasksConnectionString);
        await using var command = dataSource.CreateCommand("""
            SELECT t.id, t.status, t.attempts,
                   count(*) FILTER (WHERE e.status = 'running'),
                   count(*) FILTER (WHERE e.status IN ('completed', 'failed', 'cancelled')),
                   count(*) FILTER (WHERE e.detail LIKE '% was lost during attempt % and the message with it; queued again')
            FROM tasks t JOIN task_events e ON e.task_id = t.id
            WHERE t.id = ANY($1)
            GROUP BY t.id, t.status, t.attempts
            """);
        command.Parameters.Add(new() { Value = ids });
        var runs = new List<TaskRuns>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            runs.Add(new TaskRuns(reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), (int)reader.GetInt64(3), (int)reader.GetInt64(4), (int)reader.GetInt64(5)));
        }
        Assert.Equal(ids.Length, runs.Count);
        return runs;
    }
}
