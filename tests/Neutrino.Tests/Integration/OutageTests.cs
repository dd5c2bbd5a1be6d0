using System.Diagnostics;
using System.Net;
using Aspire.Hosting.ApplicationModel;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>
/// One system whose nats-server or PostgreSQL each test stops and starts again under it, with
/// Aspire's own resource commands, as an operator does from the Aspire dashboard.
/// </summary>
public sealed class OutageTests(OutageTests.OneOfEachFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<OutageTests.OneOfEachFixture>
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task While_NATS_is_down_submissions_get_503_never_202_and_work_resumes_when_it_returns()
    {
        var system = fixture.System;
        using var client = system.CreateClient();
        Assert.Equal("completed", (await client.WaitForTerminalAsync(await client.SubmitAsync("sleep", """{"args":{"ms":1}}"""))).Status());

        await system.CommandAsync("nats", KnownResourceCommands.StopCommand);

        var (status, body, _) = await client.PostAsync("sleep", """{"args":{"ms":1}}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var refused = Guid.Parse(body!["task_id"]!.GetValue<string>());
        var record = (await client.GetTaskAsync(refused))!;
        Assert.Equal("failed", record.Status());
        Assert.StartsWith("could not be queued", record["error"]!.GetValue<string>(), StringComparison.Ordinal);

        // A repeat of an idempotent request whose publish is still pending is never told 202: the first
        // is refused, so the repeat is a 409 to retry (or, once the key is freed, a request of its own).
        var key = $"outage-{Guid.NewGuid():N}";
        var first = PostWithKeyAsync(client, key);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var repeat = await PostWithKeyAsync(client, key);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await first).StatusCode);
        Assert.NotEqual(HttpStatusCode.Accepted, repeat.StatusCode);

        await system.CommandAsync("nats", KnownResourceCommands.StartCommand);

        await AssertWorkResumesAsync(client);
    }

    private static Task<HttpResponseMessage> PostWithKeyAsync(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/sleep") { Content = new StringContent("""{"args":{"ms":1}}""", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    [Fact]
    public async Task While_PostgreSQL_is_down_nothing_is_accepted_and_a_running_task_still_records_its_completion()
    {
        var system = fixture.System;
        using var client = system.CreateClient();
        // Long enough to be still running however slowly the machine answers the polls below.
        var running = await client.SubmitAsync("sleep", """{"args":{"ms":20000}}""");
        await client.WaitForAsync(running, s => s == "running");

        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} stopping postgres");
        await system.CommandAsync("postgres", KnownResourceCommands.StopCommand);
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} stopped");

        var (status, _, _) = await client.PostAsync("sleep", """{"args":{"ms":1}}""");
        var poll = await client.GetAsync($"/tasks/{running}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, poll.StatusCode);
        Assert.Equal("1", poll.Headers.RetryAfter?.ToString());

        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} starting postgres");
        await system.CommandAsync("postgres", KnownResourceCommands.StartCommand);
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} started");

        // The running task's completion is retried until the store is back: it is never lost.
        var task = await client.WaitForTerminalAsync(running, TimeSpan.FromSeconds(90));
        Assert.Equal(("completed", 1), (task.Status(), task["attempts"]!.GetValue<int>()));
        await AssertWorkResumesAsync(client);
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

    public sealed class OneOfEachFixture : IAsyncLifetime
    {
        public NeutrinoSystem System { get; private set; } = null!;

        public async Task InitializeAsync() =>
            System = await NeutrinoSystem.StartAsync(NeutrinoSystem.NewDataDirectory(), null, "--Neutrino:FastPoolReplicas=1", "--Neutrino:AsyncPoolReplicas=1");

        public async Task DisposeAsync()
        {
            await System.DisposeAsync();
            Directory.Delete(System.DataDirectory, recursive: true);
        }
    }
}
