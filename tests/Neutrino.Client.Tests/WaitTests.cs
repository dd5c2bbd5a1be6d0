using System.Net;
using Microsoft.Extensions.Time.Testing;
using Neutrino.Client.Tests.Infrastructure;

namespace Neutrino.Client.Tests;

public sealed class WaitTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    /// <summary>An answer that takes the long poll's whole wait on the fake clock, as the gateway holds a task that stays put.</summary>
    private static Func<HttpRequestMessage, HttpResponseMessage> HoldThen(FakeTimeProvider time, string status) => request =>
    {
        var wait = int.Parse(request.RequestUri!.Query.Split("wait=")[1], System.Globalization.CultureInfo.InvariantCulture);
        time.Advance(TimeSpan.FromSeconds(wait));
        return StubHandler.Answer(HttpStatusCode.OK, Json.Task(status), "application/json");
    };

    [Fact]
    public async Task Wait_long_polls_until_the_task_is_final()
    {
        var time = new FakeTimeProvider(Start);
        var stub = new StubHandler()
            .Then(HoldThen(time, "queued"))
            .Then(HoldThen(time, "running"))
            .ThenJson(HttpStatusCode.OK, Json.Task("completed", result: "42"));

        var task = await Clients.Over(stub, time).WaitAsync(Json.TaskId);

        Assert.Equal(TaskState.Completed, task.Status);
        Assert.Equal(42, task.GetResult<int>());
        Assert.Equal(Enumerable.Repeat($"/tasks/{Json.TaskId}?wait=60", 3), stub.Sent.Select(s => s.PathAndQuery));
        Assert.All(stub.Sent, s => Assert.Equal($"Bearer {Clients.ApiKey}", s.Header("Authorization")));
    }

    [Fact]
    public async Task Wait_stops_at_its_timeout_with_the_task_as_it_stands()
    {
        var time = new FakeTimeProvider(Start);
        var stub = new StubHandler()
            .Then(HoldThen(time, "running"))
            .Then(HoldThen(time, "running"))
            .Then(HoldThen(time, "running"));

        var task = await Clients.Over(stub, time).WaitAsync(Json.TaskId, TimeSpan.FromSeconds(150));

        Assert.Equal(TaskState.Running, task.Status);
        Assert.False(task.IsTerminal);
        Assert.Equal(["wait=60", "wait=60", "wait=30"], stub.Sent.Select(s => s.Uri.Query.TrimStart('?')));
    }

    [Fact]
    public async Task A_zero_timeout_is_one_plain_read()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK, Json.Task("running"));

        var task = await Clients.Over(stub, new FakeTimeProvider(Start)).WaitAsync(Json.TaskId, TimeSpan.Zero);

        Assert.Equal(TaskState.Running, task.Status);
        Assert.Equal("?wait=0", Assert.Single(stub.Sent).Uri.Query);
    }

    [Fact]
    public async Task A_shorter_long_poll_wait_is_honoured()
    {
        var time = new FakeTimeProvider(Start);
        var stub = new StubHandler().Then(HoldThen(time, "running")).ThenJson(HttpStatusCode.OK, Json.Task("failed", error: "\"boom\""));
        var client = new NeutrinoClient(new HttpClient(stub), new NeutrinoClientOptions
        {
            BaseAddress = Clients.Gateway,
            LongPollWait = TimeSpan.FromSeconds(20),
            TimeProvider = time,
        });

        var task = await client.WaitAsync(Json.TaskId);

        Assert.Equal(TaskState.Failed, task.Status);
        Assert.Equal("boom", task.Error);
        Assert.Equal(["?wait=20", "?wait=20"], stub.Sent.Select(s => s.Uri.Query));
    }

    [Fact]
    public async Task A_long_poll_refused_for_too_many_waiting_is_sent_again()
    {
        var stub = new StubHandler()
            .ThenProblem(HttpStatusCode.TooManyRequests, """{"title":"Too many long polls","status":429}""", ("Retry-After", "0"))
            .ThenJson(HttpStatusCode.OK, Json.Task("cancelled"));

        var task = await Clients.Over(stub).WaitAsync(Json.TaskId, TimeSpan.FromMinutes(1));

        Assert.Equal(TaskState.Cancelled, task.Status);
        Assert.Equal(2, stub.Sent.Count);
    }

    [Fact]
    public async Task The_handle_waits_on_its_own_task()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.Accepted, Json.Accepted())
            .ThenJson(HttpStatusCode.OK, Json.Task("completed", result: "\"done\""));
        var client = Clients.Over(stub);

        var handle = await client.SubmitAsync("sleep", new { Ms = 1 });
        var task = await handle.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("done", task.GetResult<string>());
        Assert.Equal($"/tasks/{Json.TaskId}?wait=10", stub.Sent[1].PathAndQuery);
    }

    [Fact]
    public async Task Run_waits_for_a_task_the_gateway_queued()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.Accepted, Json.Accepted())
            .ThenJson(HttpStatusCode.OK, Json.Task("completed", result: """{"model_name":"m"}"""));

        var run = await Clients.Over(stub).RunAsync<object, Dictionary<string, string>>("embed", new { Text = "x" });

        Assert.Equal(Json.TaskId, run.TaskId);
        Assert.Equal("m", run.Result!["model_name"]);
        Assert.Equal($"/tasks/{Json.TaskId}?wait=60", stub.Sent[1].PathAndQuery);
    }

    [Fact]
    public async Task Run_throws_task_failed_when_a_queued_task_fails()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.Accepted, Json.Accepted())
            .ThenJson(HttpStatusCode.OK, Json.Task("failed", error: "\"out of memory\""));

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => Clients.Over(stub).RunAsync<object, object>("embed", new { }));

        Assert.Equal(Json.TaskId, error.TaskId);
        Assert.Equal("out of memory", error.Error);
    }

    [Fact]
    public async Task Cancelling_the_token_stops_the_wait()
    {
        using var cancel = new CancellationTokenSource();
        var stub = new StubHandler().Then(request =>
        {
            cancel.Cancel();
            return StubHandler.Answer(HttpStatusCode.OK, Json.Task("running"), "application/json");
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Clients.Over(stub).WaitAsync(Json.TaskId, cancellationToken: cancel.Token));
    }

    [Fact]
    public async Task A_negative_timeout_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Clients.Over(new StubHandler()).WaitAsync(Json.TaskId, TimeSpan.FromSeconds(-1)));
    }
}
