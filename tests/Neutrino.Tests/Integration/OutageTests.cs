using System.Diagnostics;
using System.Net;
using Neutrino.AppHost.Hosting;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>
/// Each test has its own system, whose nats-server or PostgreSQL is stopped and started again under
/// it — by the test, after it has watched the outage, so the AppHost's own restarts are off.
/// </summary>
public sealed class OutageTests
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task While_NATS_is_down_submissions_get_503_never_202_and_work_resumes_when_it_returns()
    {
        var dataDirectory = NeutrinoSystem.NewDataDirectory();
        Process? restarted = null;
        try
        {
            await using var system = await NeutrinoSystem.StartAsync(dataDirectory, null, "--Neutrino:FastPoolReplicas=1", "--Neutrino:AsyncPoolReplicas=1", "--Neutrino:RestartOnExit=false");
            using var client = system.CreateClient();
            Assert.Equal("completed", (await client.WaitForTerminalAsync(await client.SubmitAsync("sleep", """{"args":{"ms":1}}"""))).Status());

            var (pid, commandLine) = system.ProcessOf("nats");
            Signals.Send(pid, Signals.SigTerm);
            await WaitUntilAsync(() => !Signals.IsAlive(pid), TimeSpan.FromSeconds(30));

            var (status, body, _) = await client.PostAsync("sleep", """{"args":{"ms":1}}""");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            var refused = Guid.Parse(body!["task_id"]!.GetValue<string>());
            var record = (await client.GetTaskAsync(refused))!;
            Assert.Equal("failed", record.Status());
            Assert.StartsWith("could not be queued", record["error"]!.GetValue<string>(), StringComparison.Ordinal);

            restarted = Restart(commandLine, runAs: null);

            await AssertWorkResumesAsync(client);
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

    [Fact]
    public async Task While_PostgreSQL_is_down_nothing_is_accepted_and_a_running_task_still_records_its_completion()
    {
        var dataDirectory = NeutrinoSystem.NewDataDirectory();
        Process? restarted = null;
        try
        {
            await using var system = await NeutrinoSystem.StartAsync(dataDirectory, null, "--Neutrino:FastPoolReplicas=1", "--Neutrino:AsyncPoolReplicas=1", "--Neutrino:RestartOnExit=false");
            using var client = system.CreateClient();
            var running = await client.SubmitAsync("sleep", """{"args":{"ms":5000}}""");
            await client.WaitForAsync(running, s => s == "running");

            var (pid, commandLine) = system.ProcessOf("postgres");
            Signals.Send(pid, Signals.SigInt);
            await WaitUntilAsync(() => !Signals.IsAlive(pid), TimeSpan.FromSeconds(30));

            var (status, _, _) = await client.PostAsync("sleep", """{"args":{"ms":1}}""");
            var poll = await client.GetAsync($"/tasks/{running}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, poll.StatusCode);
            Assert.Equal("1", poll.Headers.RetryAfter?.ToString());

            restarted = Restart(commandLine, runAs: Environment.UserName == "root" ? "postgres" : null);

            // The running task's completion is retried until the store is back: it is never lost.
            var task = await client.WaitForTerminalAsync(running, TimeSpan.FromSeconds(90));
            Assert.Equal(("completed", 1), (task.Status(), task["attempts"]!.GetValue<int>()));
            await AssertWorkResumesAsync(client);
        }
        finally
        {
            if (restarted is { HasExited: false })
            {
                Signals.Send(restarted.Id, Signals.SigInt);
                await restarted.WaitForExitAsync();
            }
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>Submissions are refused (503) until the dependency is back, then accepted and run.</summary>
    private static async Task AssertWorkResumesAsync(HttpClient client)
    {
        Guid accepted = default;
        await WaitUntilAsync(async () =>
        {
            var (status, json, _) = await client.PostAsync("sleep", """{"args":{"ms":1}}""");
            Assert.True(status is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, $"unexpected {(int)status}: {json}");
            if (status == HttpStatusCode.Accepted)
            {
                accepted = Guid.Parse(json!["task_id"]!.GetValue<string>());
            }
            return status == HttpStatusCode.Accepted;
        }, TimeSpan.FromSeconds(90));
        Assert.Equal("completed", (await client.WaitForTerminalAsync(accepted, TimeSpan.FromSeconds(90))).Status());
    }

    /// <summary>Starts the server again exactly as the AppHost did: same binary, port and data, in its own session.</summary>
    private static Process Restart(string commandLine, string? runAs)
    {
        var info = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (runAs is not null)
        {
            foreach (var arg in new[] { "setpriv", $"--reuid={runAs}", $"--regid={runAs}", "--init-groups", "--" })
            {
                info.ArgumentList.Add(arg);
            }
        }
        foreach (var arg in commandLine.Split(' '))
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
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
            await Task.Delay(PollInterval);
        }
    }
}
