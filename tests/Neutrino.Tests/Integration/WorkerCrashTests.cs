using Neutrino.AppHost.Hosting;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>Its own system with two async workers, one of which is killed outright mid-task.</summary>
public sealed class WorkerCrashTests
{
    [Fact]
    public async Task A_task_whose_worker_is_killed_is_redelivered_and_completes_on_another_worker()
    {
        var dataDirectory = NeutrinoSystem.NewDataDirectory();
        try
        {
            await using var system = await NeutrinoSystem.StartAsync(dataDirectory, null, "--Neutrino:FastPoolReplicas=1", "--Neutrino:AsyncPoolReplicas=2", "--Neutrino:RestartOnExit=false");
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
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
