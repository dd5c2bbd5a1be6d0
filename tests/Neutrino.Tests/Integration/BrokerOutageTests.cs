using System.Diagnostics;
using System.Net;
using Neutrino.AppHost.Hosting;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>Its own system, whose nats-server is stopped and started again under it.</summary>
public sealed class BrokerOutageTests
{
    [Fact]
    public async Task While_NATS_is_down_submissions_get_503_never_202_and_work_resumes_when_it_returns()
    {
        var dataDirectory = NeutrinoSystem.NewDataDirectory();
        Process? restarted = null;
        try
        {
            await using var system = await NeutrinoSystem.StartAsync(dataDirectory, null, "--Neutrino:FastPoolReplicas=1", "--Neutrino:AsyncPoolReplicas=1");
            using var client = system.CreateClient();
            Assert.Equal("completed", (await client.WaitForTerminalAsync(await client.SubmitAsync("sleep", """{"args":{"ms":1}}"""))).Status());

            var pidFile = File.ReadAllLines(Path.Combine(dataDirectory, "run", "nats.pid"));
            var pid = int.Parse(pidFile[0], System.Globalization.CultureInfo.InvariantCulture);
            Signals.Send(pid, Signals.SigTerm);
            await WaitUntilAsync(() => !Signals.IsAlive(pid), TimeSpan.FromSeconds(30));

            var (status, body, _) = await client.PostAsync("sleep", """{"args":{"ms":1}}""");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            var refused = Guid.Parse(body!["task_id"]!.GetValue<string>());
            var record = (await client.GetTaskAsync(refused))!;
            Assert.Equal("failed", record.Status());
            Assert.StartsWith("could not be queued", record["error"]!.GetValue<string>(), StringComparison.Ordinal);

            // The same server, same port and store, as the AppHost started it.
            var command = pidFile[1].Split(' ');
            restarted = Process.Start(new ProcessStartInfo("setsid", command) { RedirectStandardOutput = true, RedirectStandardError = true })!;

            Guid accepted = default;
            await WaitUntilAsync(async () =>
            {
                var (again, json, _) = await client.PostAsync("sleep", """{"args":{"ms":1}}""");
                Assert.True(again is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, $"unexpected {(int)again}: {json}");
                if (again == HttpStatusCode.Accepted)
                {
                    accepted = Guid.Parse(json!["task_id"]!.GetValue<string>());
                }
                return again == HttpStatusCode.Accepted;
            }, TimeSpan.FromSeconds(90));
            Assert.Equal("completed", (await client.WaitForTerminalAsync(accepted, TimeSpan.FromSeconds(90))).Status());
        }
        finally
        {
            if (restarted is { HasExited: false })
            {
                Signals.Send(restarted.Id, Signals.SigTerm);
                await restarted.WaitForExitAsync();
            }
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout) => WaitUntilAsync(() => Task.FromResult(condition()), timeout);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var started = Stopwatch.StartNew();
        while (!await condition())
        {
            if (started.Elapsed > timeout)
            {
                throw new TimeoutException($"condition not met within {timeout}");
            }
            await Task.Delay(250);
        }
    }
}
