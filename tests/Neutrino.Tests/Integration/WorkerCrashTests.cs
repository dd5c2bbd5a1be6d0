using NATS.Client.JetStream.Models;
using NATS.Net;
using Neutrino.AppHost.Hosting;
using Neutrino.Core.Messaging;
using Neutrino.Core.Tasks;
using Neutrino.Core.Workers;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>
/// Each test has its own system with two async workers, one of which is killed or stopped mid-task.
/// Failure detection is scaled down (<see cref="NeutrinoSystem.QuickFailureDetection"/>).
/// </summary>
public sealed class WorkerCrashTests
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly string[] TwoWorkers = ["--Neutrino:FastPoolReplicas=1", "--Neutrino:AsyncPoolReplicas=2", "--Neutrino:RestartOnExit=false"];

    [Fact]
    public async Task A_task_whose_worker_is_killed_is_redelivered_and_taken_over_by_another_worker()
    {
        await NeutrinoSystem.RunOwnAsync(async system =>
        {
            using var client = system.CreateClient();
            var id = await client.SubmitAsync("sleep", """{"args":{"ms":3000}}""");
            var (victim, _) = await SignalHolderAsync(system, client, id, Signals.SigKill);

            // The redelivery comes after the ack wait, when the victim's liveness lease has run out.
            var task = await client.WaitForTerminalAsync(id, TimeSpan.FromSeconds(120));
            Assert.Equal("completed", task.Status());
            Assert.Equal(2, task["attempts"]!.GetValue<int>());
            Assert.NotEqual(victim, task["worker_id"]!.GetValue<string>());
            Assert.Equal(["queued:0", "running:1", "running:2", "completed:2"], await History.EventsAsync(system.TasksConnectionString, id));
            Assert.Contains($"taken over: worker {victim} stopped answering during attempt 1", await History.DetailsAsync(system.TasksConnectionString, id));
        }, NeutrinoSystem.QuickFailureDetection, TwoWorkers);
    }

    [Fact]
    public async Task A_task_whose_worker_and_message_are_both_lost_is_swept_back_into_the_queue()
    {
        await NeutrinoSystem.RunOwnAsync(async system =>
        {
            using var client = system.CreateClient();
            var id = await client.SubmitAsync("sleep", """{"args":{"ms":3000}}""");
            var (victim, _) = await SignalHolderAsync(system, client, id, Signals.SigKill);

            // Nothing left for JetStream to redeliver: only the sweep can find the task now.
            await using (var nats = new NatsClient(system.NatsUrl))
            {
                var purged = await nats.CreateJetStreamContext().PurgeStreamAsync(
                    Subjects.TaskStream, new StreamPurgeRequest { Filter = Subjects.Task(Pools.Async, TaskPriority.Normal, "sleep") });
                Assert.Equal(1, purged.Purged);
            }

            var task = await client.WaitForTerminalAsync(id, TimeSpan.FromSeconds(120));
            Assert.Equal(("completed", 2), (task.Status(), task["attempts"]!.GetValue<int>()));
            Assert.Equal(["queued:0", "running:1", "queued:1", "running:2", "completed:2"], await History.EventsAsync(system.TasksConnectionString, id));
            Assert.Contains($"worker {victim} was lost during attempt 1 and the message with it; queued again", await History.DetailsAsync(system.TasksConnectionString, id));
        }, NeutrinoSystem.QuickFailureDetection, TwoWorkers);
    }

    [Fact]
    public async Task A_worker_told_to_stop_finishes_its_running_task_before_it_exits()
    {
        await NeutrinoSystem.RunOwnAsync(async system =>
        {
            using var client = system.CreateClient();
            var id = await client.SubmitAsync("sleep", """{"args":{"ms":3000}}""");
            var (worker, pid) = await SignalHolderAsync(system, client, id, Signals.SigTerm);

            // Within its drain time the task completes where it runs: no hand-back, no second attempt.
            var task = await client.WaitForTerminalAsync(id, TimeSpan.FromSeconds(60));
            Assert.Equal(("completed", 1, worker), (task.Status(), task["attempts"]!.GetValue<int>(), task["worker_id"]!.GetValue<string>()));
            await WaitForExitAsync(pid);
        }, NeutrinoSystem.QuickFailureDetection, TwoWorkers);
    }

    [Fact]
    public async Task A_task_still_running_when_the_drain_time_is_up_is_handed_back_without_using_an_attempt()
    {
        var shortDrain = new Dictionary<string, string>(NeutrinoSystem.QuickFailureDetection) { ["Neutrino__Worker__DrainTimeout"] = "00:00:01" };
        await NeutrinoSystem.RunOwnAsync(async system =>
        {
            using var client = system.CreateClient();
            var id = await client.SubmitAsync("sleep", """{"args":{"ms":6000}}""");
            var (worker, pid) = await SignalHolderAsync(system, client, id, Signals.SigTerm);

            var task = await client.WaitForTerminalAsync(id, TimeSpan.FromSeconds(60));
            Assert.Equal(("completed", 1), (task.Status(), task["attempts"]!.GetValue<int>()));
            Assert.NotEqual(worker, task["worker_id"]!.GetValue<string>());
            Assert.Equal(["queued:0", "running:1", "queued:0", "running:1", "completed:1"], await History.EventsAsync(system.TasksConnectionString, id));
            await WaitForExitAsync(pid);
        }, shortDrain, TwoWorkers);
    }

    /// <summary>Waits for the task to run, sends <paramref name="signal"/> to the worker running it, and returns that worker's id and pid.</summary>
    private static async Task<(string Worker, int Pid)> SignalHolderAsync(NeutrinoSystem system, HttpClient client, Guid id, int signal)
    {
        var running = await client.WaitForAsync(id, s => s == "running");
        var worker = running["worker_id"]!.GetValue<string>();
        var pid = system.ProcessOf(WorkerIdentity.InstanceOf(worker)).Id;
        Assert.True(Signals.Send(pid, signal));
        return (worker, pid);
    }

    private static async Task WaitForExitAsync(int pid)
    {
        var exited = System.Diagnostics.Stopwatch.StartNew();
        while (Signals.IsAlive(pid) && exited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(PollInterval);
        }
        Assert.False(Signals.IsAlive(pid), "the worker did not exit");
    }
}
