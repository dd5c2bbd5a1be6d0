using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>Its own system: a crashed service comes back, stopping leaves nothing behind, and the data survives a restart.</summary>
public sealed class AppHostLifecycleTests
{
    private static readonly string[] OneOfEach = ["--Neutrino:FastPoolReplicas=1", "--Neutrino:AsyncPoolReplicas=1"];
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task A_crashed_service_is_started_again_stopping_leaves_no_process_behind_and_history_survives_a_restart()
    {
        var dataDirectory = NeutrinoSystem.NewDataDirectory();
        try
        {
            Guid id;
            IReadOnlyList<int> processes;
            Dictionary<int, string> commandLines;
            await using (var first = await NeutrinoSystem.StartAsync(dataDirectory, null, OneOfEach))
            {
                using var client = first.CreateClient();
                id = await client.SubmitAsync("sleep", """{"args":{"ms":50}}""");
                Assert.Equal("completed", (await client.WaitForTerminalAsync(id)).Status());

                // Killed outright, the gateway is started again by the AppHost, as Kubernetes restarts a pod.
                var gateway = first.Instances("gateway").Single();
                var crashed = first.ProcessId(gateway);
                Assert.True(Signals.Send(crashed, Signals.SigKill));
                await WaitUntilAsync(() => !Signals.IsAlive(crashed) && first.RunningServices == 5,
                    () => $"processes {string.Join(' ', first.ProcessIds())}");
                using var probe = first.CreateClient(authenticated: false);
                await WaitUntilAsync(async () => (await TryGetAsync(probe, "/health")) == HttpStatusCode.OK, () => "the gateway's /health never answered 200");
                Assert.Equal("completed", (await client.GetTaskAsync(id))!.Status());

                Assert.NotEqual(crashed, first.ProcessId(gateway));
                // postgres and its backends, nats; fastpool, asyncpool, gpupool, gateway and dashboard.
                // The migrations and the models have finished.
                processes = first.ProcessIds();
                commandLines = processes.ToDictionary(pid => pid, pid => File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '));
            }
            var survivors = processes.Where(Signals.IsAlive).Select(pid => $"{pid} {commandLines[pid]} {(File.Exists($"/proc/{pid}/stat") ? File.ReadAllText($"/proc/{pid}/stat") : "")}").ToList();
            Assert.True(survivors.Count == 0, "outlived the AppHost: " + string.Join("\n", survivors));

            await using var second = await NeutrinoSystem.StartAsync(dataDirectory, null, OneOfEach);
            using var again = second.CreateClient();
            Assert.Equal("completed", (await again.GetTaskAsync(id))!.Status());
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task A_port_that_is_taken_stops_the_start_with_the_setting_to_change()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var dataDirectory = NeutrinoSystem.NewDataDirectory();
        try
        {
            var error = await Assert.ThrowsAsync<DistributedApplicationException>(() =>
                NeutrinoSystem.StartAsync(dataDirectory, null, $"--Neutrino:GatewayPort={port}"));
            Assert.Equal($"Port {port} (Neutrino:GatewayPort) is in use. Stop what holds it, or choose another port: --Neutrino:GatewayPort=0 takes any free one.", error.Message);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition, Func<string> describe) => WaitUntilAsync(() => Task.FromResult(condition()), describe);

    private static async Task<HttpStatusCode?> TryGetAsync(HttpClient client, string path)
    {
        try
        {
            using var response = await client.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within a minute: {describe()}");
            await Task.Delay(PollInterval);
        }
    }
}
