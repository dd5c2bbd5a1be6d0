using Neutrino.AppHost.Hosting;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>Each test has its own system with two async workers, one of which is killed or stopped mid-task.</summary>
public sealed class WorkerCrashTests
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task A_task_whose_worker_is_killed_is_redelivered_and_completes_on_another_worker()
    {
        await NeutrinoSystem.RunOwnAsync(async system =>
        {
            using var client = system.CreateClient();
            var id = await client.SubmitAsync("sleep", """{"args":{"ms":3000}}""");
            var running = await client.WaitForAsync(id, s => s == "running");
            var victim = running["worker_id"]!.GetValue<string>();

            var pid = system.ProcessOf(victim).Id;
            Assert.True(Signals.Send(pid, Signals.SigKill));

            // Redelivery waits for the message's ack deadline (30 s) to pass without a sign of life.
            var task = await client.WaitForTerminalAsync(id, TimeSpan.FromSeconds(120));
            Assert.Equal("completed", task.Status());
            Assert.Equal(2, task["attempts"]!.GetValue<int>());
            Assert.NotEqual(victim, task["worker_id"]!.GetValue<string>());
            Assert.Equal(["queued:0", "running:1", "running:2", "completed:2"], await History.EventsAsync(system.TasksConnectionString, id));
        }, "--Neutrino:FastPoolReplicas=1", "--Neutrino:AsyncPoolReplicas=2", "--Neutrino:RestartOnExit=false");
    }

    [Fact]
    public async Task A_worker_told_to_stop_finishes_its_running_task_before_it_exits()
    {
        await NeutrinoSystem.RunOwnAsync(async system =>
        {
            using var client = system.CreateClient();
            var id = await client.SubmitAsync("sleep", """{"args":{"ms":3000}}""");
            var running = await client.WaitForAsync(id, s => s == "running");
            var worker = running["worker_id"]!.GetValue<string>();
            var pid = system.ProcessOf(worker).Id;

            Assert.True(Signals.Send(pid, Signals.SigTerm));

            // Within its drain time the task completes where it runs: no hand-back, no second attempt.
            var task = await client.WaitForTerminalAsync(id, TimeSpan.FromSeconds(60));
            Assert.Equal(("completed", 1, worker), (task.Status(), task["attempts"]!.GetValue<int>(), task["worker_id"]!.GetValue<string>()));
            var exited = System.Diagnostics.Stopwatch.StartNew();
            while (Signals.IsAlive(pid) && exited.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(PollInterval);
            }
            Assert.False(Signals.IsAlive(pid), "the worker did not exit after draining");
        }, "--Neutrino:FastPoolReplicas=1", "--Neutrino:AsyncPoolReplicas=2", "--Neutrino:RestartOnExit=false");
    }
}
