using System.Net;
using NATS.Net;
using Neutrino.Core.Messaging;
using Neutrino.Core.Tasks;
using Neutrino.Core.Workers;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

[Collection(SystemCollection.Name)]
public sealed class QueuedTaskTests(SystemFixture fixture)
{
    private readonly HttpClient _client = fixture.System.CreateClient();

    [Fact]
    public async Task Sleep_is_accepted_at_once_and_runs_to_completion()
    {
        var (status, body, response) = await _client.PostAsync("sleep", """{"args":{"ms":400}}""");

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("queued", body!["status"]!.GetValue<string>());
        var id = Guid.Parse(body["task_id"]!.GetValue<string>());
        Assert.Equal($"/tasks/{id}", body["poll_url"]!.GetValue<string>());
        Assert.Equal($"/tasks/{id}", response.Headers.Location!.ToString());

        var task = await _client.WaitForTerminalAsync(id);
        Assert.Equal("completed", task.Status());
        Assert.Equal(400, task["result"]!["slept_ms"]!.GetValue<long>());
        Assert.Equal(1, task["attempts"]!.GetValue<int>());
        Assert.Equal(1.0, task["progress"]!.GetValue<double>());
        Assert.Equal(fixture.System.Instances("asyncpool").Single(), WorkerIdentity.InstanceOf(task["worker_id"]!.GetValue<string>()));
        // Every request is traced here: the task's trace id is the W3C id of its trace.
        Assert.Matches("^[0-9a-f]{32}$", task["trace_id"]!.GetValue<string>());
        Assert.NotNull(task["started_at"]);
        Assert.NotNull(task["duration_ms"]);
    }

    [Fact]
    public async Task Fail_is_retried_until_it_succeeds()
    {
        var id = await _client.SubmitAsync("fail", """{"args":{"times":2}}""");

        var task = await _client.WaitForTerminalAsync(id);

        Assert.Equal("completed", task.Status());
        Assert.Equal(3, task["attempts"]!.GetValue<int>());
        Assert.Equal(3, task["result"]!["attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_task_that_keeps_failing_ends_failed_with_its_last_error()
    {
        var id = await _client.SubmitAsync("fail", """{"args":{"times":100}}""");

        var task = await _client.WaitForTerminalAsync(id, TimeSpan.FromSeconds(90));

        Assert.Equal("failed", task.Status());
        Assert.Equal(5, task["attempts"]!.GetValue<int>());
        Assert.Equal("InvalidOperationException: planned failure 5 of 100", task["error"]!.GetValue<string>());

        var deadLetter = await DeadLetters.FindAsync(fixture.System.NatsUrl, "neutrino.dead.async.fail", id);
        Assert.NotNull(deadLetter);
        Assert.Equal("InvalidOperationException: planned failure 5 of 100", deadLetter[TaskHeaders.Error].ToString());
        Assert.Equal("5", deadLetter[TaskHeaders.Attempts].ToString());
    }

    [Fact]
    public async Task Invalid_args_fail_at_once_without_retries()
    {
        var id = await _client.SubmitAsync("sleep", """{"args":{"ms":-5}}""");

        var task = await _client.WaitForTerminalAsync(id);

        Assert.Equal("failed", task.Status());
        Assert.Equal(1, task["attempts"]!.GetValue<int>());
        Assert.Contains("'ms' must be between 0", task["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_queued_task_cancelled_before_it_runs_never_runs()
    {
        // The async pool runs one task at a time here: hold it busy so the next one stays queued.
        var blocker = await _client.SubmitAsync("sleep", """{"args":{"ms":5000}}""");
        await _client.WaitForAsync(blocker, s => s == "running");
        var victim = await _client.SubmitAsync("sleep", """{"args":{"ms":10}}""");

        var response = await _client.DeleteAsync($"/tasks/{victim}");
        var cancelled = await TaskClient.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cancelled", cancelled!.Status());
        Assert.Equal("completed", (await _client.WaitForTerminalAsync(blocker)).Status());
        // Once the pool is free it receives the message and must drop it: the task never started.
        var follower = await _client.SubmitAsync("sleep", """{"args":{"ms":10}}""");
        await _client.WaitForTerminalAsync(follower);
        var after = (await _client.GetTaskAsync(victim))!;
        Assert.Equal("cancelled", after.Status());
        Assert.Equal(0, after["attempts"]!.GetValue<int>());
        Assert.Null(after["started_at"]);
    }

    [Fact]
    public async Task A_running_task_is_signalled_and_stops()
    {
        var id = await _client.SubmitAsync("sleep", """{"args":{"ms":600000}}""");
        await _client.WaitForAsync(id, s => s == "running");

        var response = await _client.DeleteAsync($"/tasks/{id}");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var task = await _client.WaitForTerminalAsync(id);
        Assert.Equal("cancelled", task.Status());
    }

    [Fact]
    public async Task A_cancellation_whose_message_was_lost_still_reaches_the_running_task()
    {
        var id = await _client.SubmitAsync("sleep", """{"args":{"ms":600000}}""");
        await _client.WaitForAsync(id, s => s == "running");

        // What DELETE records, without the core NATS message that normally follows it (as if lost in a reconnect).
        await using (var dataSource = Npgsql.NpgsqlDataSource.Create(fixture.System.TasksConnectionString))
        await using (var command = dataSource.CreateCommand("UPDATE tasks SET cancel_requested_at = now() WHERE id = $1"))
        {
            command.Parameters.Add(new() { Value = id });
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var task = await _client.WaitForTerminalAsync(id);
        Assert.Equal("cancelled", task.Status());
    }

    [Fact]
    public async Task Cancelling_a_finished_task_is_a_conflict()
    {
        var id = await _client.SubmitAsync("sleep", """{"args":{"ms":1}}""");
        await _client.WaitForTerminalAsync(id);

        var response = await _client.DeleteAsync($"/tasks/{id}");
        var problem = await TaskClient.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(id.ToString(), problem!["task_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task High_priority_work_overtakes_low_priority_work()
    {
        var blocker = await _client.SubmitAsync("sleep", """{"args":{"ms":5000}}""");
        await _client.WaitForAsync(blocker, s => s == "running");
        var low = await _client.SubmitAsync("sleep", """{"args":{"ms":1},"priority":"low"}""");
        var high = await _client.SubmitAsync("sleep", """{"args":{"ms":1},"priority":"high"}""");

        var lowTask = await _client.WaitForTerminalAsync(low);
        var highTask = await _client.WaitForTerminalAsync(high);

        Assert.Equal("high", highTask["priority"]!.GetValue<string>());
        Assert.True(
            highTask["started_at"]!.GetValue<DateTimeOffset>() < lowTask["started_at"]!.GetValue<DateTimeOffset>(),
            $"high started {highTask["started_at"]}, low started {lowTask["started_at"]}");
    }

    [Fact]
    public async Task A_failed_task_can_be_retried_as_a_new_series_of_attempts_under_the_same_id()
    {
        var id = await _client.SubmitAsync("sleep", """{"args":{"ms":-5}}""");
        Assert.Equal("failed", (await _client.WaitForTerminalAsync(id)).Status());

        var retry = await _client.PostAsync($"/tasks/{id}/retry", null);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal("failed", (await _client.WaitForAsync(id, s => s == "failed" || s == "completed", TimeSpan.FromSeconds(60))).Status());
        Assert.Equal(
            ["queued:0", "running:1", "failed:1", "queued:0", "running:1", "failed:1"],
            await History.EventsAsync(fixture.System.TasksConnectionString, id));
    }

    [Fact]
    public async Task Only_failed_tasks_can_be_retried()
    {
        var id = await _client.SubmitAsync("sleep", """{"args":{"ms":1}}""");
        await _client.WaitForTerminalAsync(id);

        var completed = await _client.PostAsync($"/tasks/{id}/retry", null);
        var unknown = await _client.PostAsync($"/tasks/{Guid.CreateVersion7()}/retry", null);

        Assert.Equal(HttpStatusCode.Conflict, completed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_task_recorded_but_never_published_is_published_again_and_runs()
    {
        // What a gateway that died between the two steps of a submission leaves behind.
        var id = Guid.CreateVersion7();
        await using (var connection = new Npgsql.NpgsqlConnection(fixture.System.TasksConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new Npgsql.NpgsqlCommand("""
                WITH ins AS (
                    INSERT INTO tasks (id, name, mode, pool, status, priority, args, attempts, max_attempts, created_at)
                    VALUES ($1, 'sleep', 'async', 'async', 'queued', 'normal', '{"ms":1}', 0, 3, now() - interval '10 seconds')
                    RETURNING id, created_at)
                INSERT INTO task_events (task_id, status, attempt, at) SELECT id, 'queued', 0, created_at FROM ins;
                """, connection)
            {
                Parameters = { new() { Value = id } },
            };
            await insert.ExecuteNonQueryAsync();
        }

        var task = await _client.WaitForTerminalAsync(id, TimeSpan.FromSeconds(60));

        Assert.Equal(("completed", 1), (task.Status(), task["attempts"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_task_longer_than_the_ack_wait_is_never_offered_to_another_worker_while_it_runs()
    {
        // The fixture's ack wait is 5 s: the task outlives it three times over.
        var id = await _client.SubmitAsync("sleep", """{"args":{"ms":15000}}""");
        await _client.WaitForAsync(id, s => s == "running");

        // Act as a second worker of the pool: without heartbeats the message would become ours to fetch.
        await using var nats = new NatsClient(fixture.System.NatsUrl);
        var consumer = await nats.CreateJetStreamContext().GetConsumerAsync(Subjects.TaskStream, Subjects.Consumer(Pools.Async, TaskPriority.Normal));
        var offered = 0;
        while ((await _client.GetTaskAsync(id))!.Status() == "running")
        {
            await foreach (var msg in consumer.FetchNoWaitAsync<byte[]>(new NATS.Client.JetStream.NatsJSFetchOpts { MaxMsgs = 1 }))
            {
                if (msg.Headers?[TaskHeaders.TaskId].ToString() == id.ToString())
                {
                    offered++;
                }
                await msg.NakAsync(); // back to the pool at once, whatever it is
            }
            await Task.Delay(LongTaskProbeInterval);
        }

        var task = await _client.WaitForTerminalAsync(id);
        Assert.Equal(0, offered);
        Assert.Equal(("completed", 1), (task.Status(), task["attempts"]!.GetValue<int>()));
        Assert.Equal(["queued:0", "running:1", "completed:1"], await History.EventsAsync(fixture.System.TasksConnectionString, id));
    }

    private static readonly TimeSpan LongTaskProbeInterval = TimeSpan.FromMilliseconds(500);
}
