using System.Diagnostics;
using NATS.Client.JetStream.Models;
using NATS.Net;
using Neutrino.Core.Messaging;
using Neutrino.Core.Tasks;
using Neutrino.Core.Workers;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>
/// One system with two async workers, one of which each test kills or stops mid-task; the AppHost
/// starts it again, as Kubernetes would, and the next test waits for both to be back. Failure
/// detection is scaled down (<see cref="NeutrinoSystem.QuickFailureDetection"/>), and the drain
/// time is four seconds.
/// </summary>
public sealed class WorkerCrashTests(WorkerCrashTests.TwoWorkersFixture fixture) : IClassFixture<WorkerCrashTests.TwoWorkersFixture>
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private NeutrinoSystem System => fixture.System;

    [Fact]
    public async Task A_task_whose_worker_is_killed_is_redelivered_and_taken_over_by_another_worker()
    {
        using var client = await ReadyClientAsync();
        var id = await client.SubmitAsync("sleep", """{"args":{"ms":8000}}""");
        var (victim, _) = await SignalHolderAsync(client, id, Signals.SigKill);

        // The redelivery comes after the ack wait, when the victim's liveness lease has run out.
        var task = await client.WaitForTerminalAsync(id, TimeSpan.FromSeconds(120));
        Assert.Equal("completed", task.Status());
        Assert.Equal(2, task["attempts"]!.GetValue<int>());
        Assert.NotEqual(victim, task["worker_id"]!.GetValue<string>());
        Assert.Equal(["queued:0", "running:1", "running:2", "completed:2"], await History.EventsAsync(System.TasksConnectionString, id));
        Assert.Contains($"taken over: worker {victim} stopped answering during attempt 1", await History.DetailsAsync(System.TasksConnectionString, id));
    }

    [Fact]
    public async Task A_task_whose_worker_and_message_are_both_lost_is_swept_back_into_the_queue()
    {
        using var client = await ReadyClientAsync();
        var id = await client.SubmitAsync("sleep", """{"args":{"ms":8000}}""");
        var (victim, _) = await SignalHolderAsync(client, id, Signals.SigKill);

        // Nothing left for JetStream to redeliver: only the sweep can find the task now.
        await using (var nats = new NatsClient(System.NatsUrl))
        {
            var purged = await nats.CreateJetStreamContext().PurgeStreamAsync(
                Subjects.TaskStream, new StreamPurgeRequest { Filter = Subjects.Task(Pools.Async, TaskPriority.Normal, "sleep") });
            Assert.Equal(1, purged.Purged);
        }

        var task = await client.WaitForTerminalAsync(id, TimeSpan.FromSeconds(120));
        Assert.Equal(("completed", 2), (task.Status(), task["attempts"]!.GetValue<int>()));
        Assert.Equal(["queued:0", "running:1", "queued:1", "running:2", "completed:2"], await History.EventsAsync(System.TasksConnectionString, id));
        Assert.Contains($"worker {victim} was lost during attempt 1 and the message with it; queued again", await History.DetailsAsync(System.TasksConnectionString, id));
    }

    [Fact]
    public async Task A_worker_told_to_stop_finishes_its_running_task_before_it_exits()
    {
        using var client = await ReadyClientAsync();
        var id = await client.SubmitAsync("sleep", """{"args":{"ms":10000}}""");
        // Stopped with at most two of its ten seconds left: well within the drain time.
        var (worker, pid) = await SignalHolderAsync(client, id, Signals.SigTerm, progress: 0.8);

        // Within its drain time the task completes where it runs: no hand-back, no second attempt.
        var task = await client.WaitForTerminalAsync(id, TimeSpan.FromSeconds(60));
        Assert.Equal(("completed", 1, worker), (task.Status(), task["attempts"]!.GetValue<int>(), task["worker_id"]!.GetValue<string>()));
        await WaitForExitAsync(pid);
    }

    [Fact]
    public async Task A_task_still_running_when_the_drain_time_is_up_is_handed_back_without_using_an_attempt()
    {
        using var client = await ReadyClientAsync();
        var id = await client.SubmitAsync("sleep", """{"args":{"ms":20000}}""");
        // Stopped with more than half of its twenty seconds left: more than the drain time.
        var (worker, pid) = await SignalHolderAsync(client, id, Signals.SigTerm, progress: 0, before: 0.5);

        var task = await client.WaitForTerminalAsync(id, TimeSpan.FromSeconds(90));
        Assert.Equal(("completed", 1), (task.Status(), task["attempts"]!.GetValue<int>()));
        Assert.NotEqual(worker, task["worker_id"]!.GetValue<string>());
        Assert.Equal(["queued:0", "running:1", "queued:0", "running:1", "completed:1"], await History.EventsAsync(System.TasksConnectionString, id));
        await WaitForExitAsync(pid);
    }

    /// <summary>A client once both workers run: the one an earlier test stopped has been started again.</summary>
    private async Task<HttpClient> ReadyClientAsync()
    {
        await System.WaitForHealthyInstancesAsync("asyncpool");
        return System.CreateClient();
    }

    /// <summary>
    /// Waits for the task to run (with at least <paramref name="progress"/> done, and less than
    /// <paramref name="before"/>), sends <paramref name="signal"/> to the worker running it, and returns that worker's id and pid.
    /// </summary>
    private async Task<(string Worker, int Pid)> SignalHolderAsync(HttpClient client, Guid id, int signal, double progress = 0, double before = 1)
    {
        var running = await client.WaitForAsync(id, s => s == "running", progress);
        var done = running["progress"]?.GetValue<double>() ?? 0;
        Assert.True(done < before, $"the task was {done:P0} done before the test could stop its worker");
        var worker = running["worker_id"]!.GetValue<string>();
        var pid = System.ProcessId(WorkerIdentity.InstanceOf(worker));
        Assert.True(Signals.Send(pid, signal));
        return (worker, pid);
    }

    private static async Task WaitForExitAsync(int pid)
    {
        var exited = Stopwatch.StartNew();
        while (Signals.IsAlive(pid) && exited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(PollInterval);
        }
        Assert.False(Signals.IsAlive(pid), "the worker did not exit");
    }

    public sealed class TwoWorkersFixture : IAsyncLifetime
    {
        public NeutrinoSystem System { get; private set; } = null!;

        public async Task InitializeAsync() =>
            System = await NeutrinoSystem.StartAsync(
                NeutrinoSystem.NewDataDirectory(),
                new Dictionary<string, string>(NeutrinoSystem.QuickFailureDetection) { ["Neutrino__Worker__DrainTimeout"] = "00:00:04" },
                "--Neutrino:FastPoolReplicas=1", "--Neutrino:AsyncPoolReplicas=2");

        public async Task DisposeAsync()
        {
            await System.DisposeAsync();
            Directory.Delete(System.DataDirectory, recursive: true);
        }
    }
}
