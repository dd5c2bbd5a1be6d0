using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;
using Neutrino.Tests.Infrastructure;

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

        Assert.True(await _store.TryStartAsync(id, 1, "w1", Now, default));
        Assert.True(await _store.FinishAsync(id, TaskState.Completed, "42", null, "w1", Now, default));

        Assert.False(await _store.TryStartAsync(id, 2, "w2", Now, default));
        Assert.False(await _store.FinishAsync(id, TaskState.Failed, null, "late failure", "w2", Now, default));
        Assert.False(await _store.CancelQueuedAsync(id, Now, default));
        Assert.False(await _store.RequestCancelAsync(id, Now, default));
        var task = (await _queries.GetAsync(id, default))!;
        Assert.Equal(("completed", 1, "w1"), (task.Status, task.Attempts, task.WorkerId));
        Assert.Equal(3, (await _queries.GetEventsAsync(id, default)).Count);
    }

    [Fact]
    public async Task A_redelivery_may_start_a_later_attempt_but_never_repeat_one()
    {
        var id = await InsertAsync();

        Assert.True(await _store.TryStartAsync(id, 1, "w1", Now, default));
        Assert.False(await _store.TryStartAsync(id, 1, "w2", Now, default));
        Assert.True(await _store.TryStartAsync(id, 2, "w2", Now, default)); // w1 died; the message came back
        Assert.False(await _store.ScheduleRetryAsync(id, 1, "stale", TimeSpan.FromSeconds(1), "w1", Now, default));
        Assert.True(await _store.ScheduleRetryAsync(id, 2, "boom", TimeSpan.FromSeconds(1), "w2", Now, default));

        var task = (await _queries.GetAsync(id, default))!;
        Assert.Equal(("queued", 2, "boom"), (task.Status, task.Attempts, task.Error));
    }

    [Fact]
    public async Task Inserting_the_same_task_twice_records_it_once()
    {
        var task = NewTask();
        Assert.True(await _store.InsertQueuedAsync(task, default));
        Assert.False(await _store.InsertQueuedAsync(task, default));
        Assert.Single(await _queries.GetEventsAsync(task.Id, default));
    }

    [Fact]
    public async Task Cancelling_a_running_task_is_a_request_that_a_later_delivery_honours()
    {
        var id = await InsertAsync();
        Assert.True(await _store.TryStartAsync(id, 1, "w1", Now, default));

        Assert.False(await _store.CancelQueuedAsync(id, Now, default));
        Assert.True(await _store.RequestCancelAsync(id, Now, default));
        Assert.False(await _store.TryStartAsync(id, 2, "w2", Now, default));
        Assert.True(await _store.CancelIfRequestedAsync(id, "w2", Now, default));

        Assert.Equal("cancelled", (await _queries.GetAsync(id, default))!.Status);
    }

    [Fact]
    public async Task Concurrent_writes_are_grouped_and_each_gets_its_own_answer()
    {
        var tasks = Enumerable.Range(0, 300).Select(_ => NewTask()).ToList();
        var inserted = await Task.WhenAll(tasks.Select(t => _store.InsertQueuedAsync(t, default)));
        var started = await Task.WhenAll(tasks.Select((t, i) => _store.TryStartAsync(t.Id, i % 2 == 0 ? 1 : 0, "w", Now, default)));

        Assert.All(inserted, Assert.True);
        Assert.Equal(tasks.Select((_, i) => i % 2 == 0), started); // attempt 0 is never newer than the recorded 0
    }

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    // A pool no worker serves: these rows are driven by the test alone.
    private static NewTask NewTask() => new(Guid.CreateVersion7(), "store-test", "async", "store-test", "normal", """{"x":1}""", 3, Now);

    private async Task<Guid> InsertAsync()
    {
        var task = NewTask();
        Assert.True(await _store.InsertQueuedAsync(task, default));
        return task.Id;
    }
}
