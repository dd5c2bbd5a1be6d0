using System.Net;
using System.Net.Sockets;
using Neutrino.AppHost.Hosting;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>Its own system: stopping it must leave nothing behind, and its data must survive a restart.</summary>
public sealed class AppHostLifecycleTests
{
    [Fact]
    public async Task Stopping_leaves_no_process_behind_and_history_survives_a_restart()
    {
        var dataDirectory = NeutrinoSystem.NewDataDirectory();
        try
        {
            Guid id;
            IReadOnlyList<int> children;
            await using (var first = await NeutrinoSystem.StartAsync(dataDirectory, null, "--Neutrino:FastPoolReplicas=1", "--Neutrino:AsyncPoolReplicas=1"))
            {
                using var client = first.CreateClient();
                id = await client.SubmitAsync("sleep", """{"args":{"ms":50}}""");
                Assert.Equal("completed", (await client.WaitForTerminalAsync(id)).Status());
                children = first.ChildProcessIds();
                Assert.Equal(7, children.Count); // postgres, nats, fastpool, asyncpool, gpupool, gateway, dashboard

                Assert.Equal(0, await first.StopAsync());
            }
            Assert.All(children, pid => Assert.False(Signals.IsAlive(pid), $"process {pid} outlived the AppHost"));
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(dataDirectory, "run"), "*.pid"));

            await using var second = await NeutrinoSystem.StartAsync(dataDirectory, null, "--Neutrino:FastPoolReplicas=1", "--Neutrino:AsyncPoolReplicas=1");
            using var again = second.CreateClient();
            var task = await again.GetTaskAsync(id);
            Assert.Equal("completed", task!.Status());
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task A_resource_that_cannot_start_stops_the_apphost_with_the_reason()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var dataDirectory = NeutrinoSystem.NewDataDirectory();
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                NeutrinoSystem.StartAsync(dataDirectory, null, $"--Neutrino:GatewayPort={port}"));

            Assert.Contains("exited with code 1", error.Message, StringComparison.Ordinal);
            Assert.Contains($"gateway could not start: port {port} is in use", error.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(dataDirectory, "run"), "*.pid"));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
