using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;
using Neutrino.Tests.Infrastructure;
using Npgsql;

namespace Neutrino.Tests.Integration;

/// <summary>The state machine, against the real PostgreSQL of the running system: transitions only move forward.</summary>
[Collection(SystemCollection.Name)]
public sealed class TaskStoreTests(SystemFixture fixture) : IAsyncLifetime
{
    private IHost _host = null!;
    private TaskStore _store = null!;
    private TaskQueries _queries = null!;

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:neutrino"] = fixture.System.TasksConnectionString;
        builder.AddNpgsqlDataSource("neutrino");
        builder.AddTaskStore();
        _host = builder.Build();
        await _host.StartAsync();
        _store = _host.Services.GetRequiredService<TaskStore>();
        _queries = _host.Services.GetRequiredService<TaskQueries>();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    [Fact]
    public async Task A_finished_task_cannot_be_started_finished_or_cancelled_again()
    {
        var id = await InsertAsync();

        Assert.Equal(StartVerdict.Started, (await StartAsync(id, "t1", "w1")).Verdict);
        Assert.True(await _store.FinishAsync(id, TaskState.Completed, "42", null, "w1", "t1", Now, default));

        Assert.Equal(StartVerdict.Finished, (await StartAsync(id, "t2", "w2")).Verdict);
        Assert.False(await _store.FinishAsync(id, TaskState.Failed, null, "late failure", "w2", "t2", Now, default));
        Assert.False(await _store.CancelQueuedAsync(id, Now, default));
        Assert.False(await _store.RequestCancelAsync(id, Now, default));
        var task = (await _queries.GetAsync(id, default))!;
        Assert.Equal(("completed", 1, "w1"), (task.Status, task.Attempts, task.WorkerId));
        Assert.Equal(3, (await _queries.GetEventsAsync(id, default)).Count);
    }

    [Fact]
    public async Task A_task_whose_publish_was_not_acknowledged_is_failed_only_while_no_worker_has_started_it()
    {
        // Not started: failed, and a copy of its message delivered later is acknowledged, never run.
        var unstarted = await InsertAsync();
        Assert.True(await _store.FailUnqueuedAsync(unstarted, "could not be queued: no answer", Now, default));
        Assert.Equal(StartVerdict.Finished, (await StartAsync(unstarted, "t1", "w1")).Verdict);
        Assert.Equal("failed", (await _queries.GetAsync(unstarted, default))!.Status);

        // Started meanwhile (the message was stored after all): it stays with its worker.
        var started = await InsertAsync();
        Assert.Equal(StartVerdict.Started, (await StartAsync(started, "t1", "w1")).Verdict);
        Assert.False(await _store.FailUnqueuedAsync(started, "could not be queued: no answer", Now, default));
        Assert.True(await _store.FinishAsync(started, TaskState.Completed, "42", null, "w1", "t1", Now, default));
        Assert.Equal("completed", (await _queries.GetAsync(started, default))!.Status);
    }

    [Fact]
    public async Task Every_attempt_knows_whose_task_it_is()
    {
        var task = NewTask() with { Tenant = "tenant-a" };
        Assert.True(await _store.InsertQueuedAsync(task, default));

        Assert.Equal("tenant-a", (await StartAsync(task.Id, "t1", "w1")).Tenant);
        Assert.True(await _store.ScheduleRetryAsync(task.Id, 1, "boom", TimeSpan.Zero, "w1", Now, default));
        Assert.Equal(new StartDecision(StartVerdict.Started, 2, 3, "w2", "tenant-a"), await StartAsync(task.Id, "t2", "w2"));
    }

    [Fact]
    public async Task A_live_holder_keeps_its_task_and_a_lost_one_is_taken_over_as_the_next_attempt()
    {
        var id = await InsertAsync();
        var holder = $"live-{Guid.NewGuid():N}";
        await SetLivenessAsync(holder, TimeSpan.Zero);

        Assert.Equal(new StartDecision(StartVerdict.Started, 1, 3, holder), await StartAsync(id, "t1", holder));
        Assert.Equal(new StartDecision(StartVerdict.Held, 1, 3, holder), await StartAsync(id, "t2", "w2"));
        Assert.Equal(StartVerdict.Started, (await StartAsync(id, "t1", holder)).Verdict); // the same delivery's write, retried

        await SetLivenessAsync(holder, -2 * Lease); // the holder stopped renewing its lease
        Assert.Equal(new StartDecision(StartVerdict.Started, 2, 3, "w2"), await StartAsync(id, "t2", "w2"));
        Assert.False(await _store.ScheduleRetryAsync(id, 1, "stale", TimeSpan.FromSeconds(1), holder, Now, default));
        Assert.True(await _store.ScheduleRetryAsync(id, 2, "boom", TimeSpan.FromSeconds(1), "w2", Now, default));

        var task = (await _queries.GetAsync(id, default))!;
        Assert.Equal(("queued", 2, "boom"), (task.Status, task.Attempts, task.Error));
        var takeover = (await _queries.GetEventsAsync(id, default)).Single(e => e.Status == "running" && e.Attempt == 2);
        Assert.Equal($"taken over: worker {holder} stopped answering during attempt 1", takeover.Detail);
    }

    [Fact]
    public async Task A_handed_back_attempt_does_not_count()
    {
        var id = await InsertAsync();
        Assert.Equal(1, (await StartAsync(id, "t1", "w1")).Attempt);

        Assert.False(await _store.HandBackAsync(id, "another delivery", "w1", Now, default));
        Assert.True(await _store.HandBackAsync(id, "t1", "w1", Now, default));

        Assert.Equal(("queued", 0), ((await _queries.GetAsync(id, default))!.Status, (await _queries.GetAsync(id, default))!.Attempts));
        Assert.Equal(new StartDecision(StartVerdict.Started, 1, 3, "w2"), await StartAsync(id, "t2", "w2"));
    }

    [Fact]
    public async Task A_lost_last_attempt_is_exhausted_not_run_again()
    {
        var id = await InsertAsync(maxAttempts: 1);
        Assert.Equal(StartVerdict.Started, (await StartAsync(id, "t1", "w1")).Verdict);

        // w1 has no liveness row: it is gone.
        Assert.Equal(new StartDecision(StartVerdict.Exhausted, 1, 1, "w1"), await StartAsync(id, "t2", "w2"));
        Assert.Equal("running", (await _queries.GetAsync(id, default))!.Status);
    }

    [Fact]
    public async Task Cancelling_a_running_task_is_a_request_that_a_later_delivery_honours()
    {
        var id = await InsertAsync();
        Assert.Equal(StartVerdict.Started, (await StartAsync(id, "t1", "w1")).Verdict);

        Assert.False(await _store.CancelQueuedAsync(id, Now, default));
        Assert.True(await _store.RequestCancelAsync(id, Now, default));
        Assert.Equal(StartVerdict.Cancel, (await StartAsync(id, "t2", "w2")).Verdict);
        Assert.True(await _store.CancelIfRequestedAsync(id, "w2", Now, default));

        Assert.Equal("cancelled", (await _queries.GetAsync(id, default))!.Status);
    }

    [Fact]
    public async Task Concurrent_writes_are_grouped_and_each_gets_its_own_answer()
    {
        var tasks = Enumerable.Range(0, 300).Select(_ => NewTask()).ToList();
        var inserted = await Task.WhenAll(tasks.Select(t => _store.InsertQueuedAsync(t, default)));
        Assert.All(inserted, Assert.True);
        var finished = await Task.WhenAll(tasks.Where((_, i) => i % 2 == 0).Select(t => _store.FinishAsync(t.Id, TaskState.Cancelled, null, null, null, null, Now, default)));
        Assert.All(finished, Assert.True);

        var started = await Task.WhenAll(tasks.Select(t => StartAsync(t.Id, "t", "w")));

        Assert.Equal(tasks.Select((_, i) => i % 2 == 0 ? StartVerdict.Finished : StartVerdict.Started), started.Select(d => d.Verdict));
    }

    [Fact]
    public async Task An_idempotency_key_whose_request_was_never_accepted_is_taken_over_once_abandoned()
    {
        var keys = _host.Services.GetRequiredService<IdempotencyStore>();
        var window = TimeSpan.FromHours(24);
        var abandonedAfter = TimeSpan.FromMinutes(1);
        var scope = $"test:{Guid.NewGuid():N}";
        // Its request was refused (its task recorded as failed: it could not be queued) and the key could not be freed.
        var refused = await InsertAsync();
        Assert.True((await keys.ClaimAsync(scope, refused, "h", Now - TimeSpan.FromMinutes(2), window, abandonedAfter, default)).Claimed);
        var accepted = await InsertAsync();
        var kept = $"test:{Guid.NewGuid():N}";
        Assert.True((await keys.ClaimAsync(kept, accepted, "h", Now - TimeSpan.FromMinutes(2), window, abandonedAfter, default)).Claimed);
        await keys.AcceptAsync(kept, accepted, Now, default);

        var retry = await keys.ClaimAsync(scope, Guid.CreateVersion7(), "h", Now, window, abandonedAfter, default);
        var repeat = await keys.ClaimAsync(kept, Guid.CreateVersion7(), "h", Now, window, abandonedAfter, default);

        Assert.True(retry.Claimed);
        Assert.Equal((false, accepted, true), (repeat.Claimed, repeat.TaskId, repeat.Accepted));
    }

    [Fact]
    public async Task A_recent_idempotency_key_is_not_taken_over_even_before_its_task_is_recorded()
    {
        var keys = _host.Services.GetRequiredService<IdempotencyStore>();
        var scope = $"test:{Guid.NewGuid():N}";
        var first = Guid.CreateVersion7(); // its request is still recording the task
        Assert.True((await keys.ClaimAsync(scope, first, "h", Now, TimeSpan.FromHours(24), TimeSpan.FromMinutes(1), default)).Claimed);

        var repeat = await keys.ClaimAsync(scope, Guid.CreateVersion7(), "h", Now, TimeSpan.FromHours(24), TimeSpan.FromMinutes(1), default);

        Assert.Equal((false, first, false), (repeat.Claimed, repeat.TaskId, repeat.Accepted));
        Assert.False(await keys.IsAcceptedAsync(scope, first, default));
    }

    [Fact]
    public async Task A_statement_PostgreSQL_refuses_fails_alone_and_the_rest_of_its_group_commit_is_written()
    {
        // Args that only PostgreSQL refuses (jsonb takes no \u0000), among many good writes in flight at once.
        var good = Enumerable.Range(0, 300).Select(_ => NewTask()).ToList();
        var bad = Enumerable.Range(0, 5).Select(_ => NewTask() with { Args = """{"x":"\u0000"}""" }).ToList();
        var goodWrites = good.Select(t => _store.InsertQueuedAsync(t, default)).ToList();
        var badWrites = bad.Select(t => _store.InsertQueuedAsync(t, default)).ToList();

        Assert.All(await Task.WhenAll(goodWrites), Assert.True);
        foreach (var write in badWrites)
        {
            var error = await Assert.ThrowsAsync<TaskWriteRejectedException>(() => write);
            Assert.Contains("refused the insert queued write", error.Message, StringComparison.Ordinal);
        }
        Assert.All(await Task.WhenAll(bad.Select(t => _queries.GetAsync(t.Id, default))), Assert.Null);
    }

    [Fact]
    public async Task A_value_that_cannot_even_be_encoded_fails_its_write_and_the_store_goes_on()
    {
        var id = await InsertAsync();
        Assert.Equal(StartVerdict.Started, (await StartAsync(id, "t1", "w1")).Verdict);

        // A lone surrogate cannot be encoded as UTF-8: in a result it is refused, in an error text replaced.
        await Assert.ThrowsAsync<TaskWriteRejectedException>(() => _store.FinishAsync(id, TaskState.Completed, "\"\ud800\"", null, "w1", "t1", Now, default));
        var later = _store.FinishAsync(id, TaskState.Failed, null, "boom \ud800 \0 end", "w1", "t1", Now, default);

        Assert.True(await later.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("boom \uFFFD \uFFFD end", (await _queries.GetAsync(id, default))!.Error);
        Assert.True(await _store.InsertQueuedAsync(NewTask(), default).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_stale_run_cannot_overwrite_the_outcome_of_the_run_that_took_its_task_over()
    {
        var id = await InsertAsync();
        var lost = $"lost-{Guid.NewGuid():N}";
        await SetLivenessAsync(lost, TimeSpan.Zero);
        Assert.Equal(StartVerdict.Started, (await StartAsync(id, "t1", lost)).Verdict);
        await SetLivenessAsync(lost, -2 * Lease);
        Assert.Equal(new StartDecision(StartVerdict.Started, 2, 3, "w2"), await StartAsync(id, "t2", "w2"));

        Assert.False(await _store.FinishAsync(id, TaskState.Failed, null, "the stale run's failure", lost, "t1", Now, default));
        Assert.True(await _store.FinishAsync(id, TaskState.Completed, "2", null, "w2", "t2", Now, default));

        var task = (await _queries.GetAsync(id, default))!;
        Assert.Equal(("completed", "w2"), (task.Status, task.WorkerId));
    }

    [Fact]
    public async Task A_delivery_to_the_live_holder_itself_takes_over_the_attempt_it_could_not_record()
    {
        // The holder's run ended without its outcome recorded (the store was away longer than it retried):
        // the redelivery comes to a process that is not running the task, and must not be told it is held.
        var id = await InsertAsync();
        var holder = $"live-{Guid.NewGuid():N}";
        await SetLivenessAsync(holder, TimeSpan.Zero);
        Assert.Equal(StartVerdict.Started, (await StartAsync(id, "t1", holder)).Verdict);

        Assert.Equal(new StartDecision(StartVerdict.Started, 2, 3, holder), await StartAsync(id, "t2", holder));
        Assert.Equal(new StartDecision(StartVerdict.Held, 2, 3, holder), await StartAsync(id, "t3", "w2"));
    }

    [Fact]
    public async Task Retention_removes_tasks_finished_before_the_cutoff_with_their_history_and_keeps_the_rest()
    {
        var old = Now - TimeSpan.FromDays(10);
        var finishedLongAgo = NewTask() with { Id = Guid.CreateVersion7(old), CreatedAt = old };
        var queuedLongAgo = NewTask() with { Id = Guid.CreateVersion7(old), CreatedAt = old };
        var finishedRecently = NewTask() with { Id = Guid.CreateVersion7(old), CreatedAt = old }; // ran for days
        foreach (var task in new[] { finishedLongAgo, queuedLongAgo, finishedRecently })
        {
            Assert.True(await _store.InsertQueuedAsync(task, default));
        }
        Assert.True(await _store.FinishAsync(finishedLongAgo.Id, TaskState.Completed, "1", null, null, null, old + TimeSpan.FromMinutes(1), default));
        Assert.True(await _store.FinishAsync(finishedRecently.Id, TaskState.Completed, "1", null, null, null, Now, default));
        var retention = _host.Services.GetRequiredService<TaskRetentionStore>();

        var removed = 0;
        for (int round; (round = await retention.DeleteFinishedAsync(Now - TimeSpan.FromDays(7), 1, default)) > 0;)
        {
            removed += round;
        }

        Assert.True(removed >= 1);
        Assert.Null(await _queries.GetAsync(finishedLongAgo.Id, default));
        Assert.Empty(await _queries.GetEventsAsync(finishedLongAgo.Id, default));
        Assert.NotNull(await _queries.GetAsync(queuedLongAgo.Id, default));
        Assert.NotNull(await _queries.GetAsync(finishedRecently.Id, default));
        await _store.FinishAsync(queuedLongAgo.Id, TaskState.Cancelled, null, null, null, null, Now, default);
    }

    [Fact]
    public void The_retention_bound_is_the_first_uuidv7_of_its_millisecond()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_123);
        Assert.True(Guid.CreateVersion7(at).CompareTo(TaskRetentionStore.FirstIdAt(at)) >= 0);
        Assert.True(Guid.CreateVersion7(at).CompareTo(TaskRetentionStore.FirstIdAt(at.AddMilliseconds(1))) < 0);
        Assert.True(Guid.CreateVersion7(at.AddMilliseconds(-1)).CompareTo(TaskRetentionStore.FirstIdAt(at)) < 0);
    }

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(20);

    private Task<StartDecision> StartAsync(Guid id, string runToken, string worker) => _store.TryStartAsync(id, runToken, worker, Lease, Now, default);

    private async Task SetLivenessAsync(string worker, TimeSpan lastSeenFromNow)
    {
        await using var command = _host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("""
            INSERT INTO workers (id, pool, host, process_id, concurrency, running, started_at, last_seen_at)
            VALUES ($1, 'store-test', 'test', 0, 1, 1, now(), now() + $2)
            ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at
            """);
        command.Parameters.Add(new() { Value = worker });
        command.Parameters.Add(new() { Value = lastSeenFromNow });
        await command.ExecuteNonQueryAsync();
    }

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    // A pool no worker serves: these rows are driven by the test alone.
    private static NewTask NewTask(int maxAttempts = 3) => new(Guid.CreateVersion7(), "store-test", "async", "store-test", "normal", """{"x":1}""", maxAttempts, Now);

    private async Task<Guid> InsertAsync(int maxAttempts = 3)
    {
        var task = NewTask(maxAttempts);
        Assert.True(await _store.InsertQueuedAsync(task, default));
        return task.Id;
    }
}
