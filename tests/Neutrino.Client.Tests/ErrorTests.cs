using System.Net;
using Microsoft.Extensions.Time.Testing;
using Neutrino.Client.Tests.Infrastructure;

namespace Neutrino.Client.Tests;

public sealed class ErrorTests
{
    private static string Problem(int status, string title, string detail, string? taskId = null) =>
        taskId is null
            ? $$"""{"type":"https://tools.ietf.org/html/rfc9110#section-15","title":"{{title}}","status":{{status}},"detail":"{{detail}}"}"""
            : $$"""{"type":"https://tools.ietf.org/html/rfc9110#section-15","title":"{{title}}","status":{{status}},"detail":"{{detail}}","task_id":"{{taskId}}"}""";

    [Theory]
    [InlineData(400, typeof(ValidationException))]
    [InlineData(401, typeof(UnauthorizedException))]
    [InlineData(403, typeof(UnauthorizedException))]
    [InlineData(404, typeof(TaskNotFoundException))]
    [InlineData(409, typeof(ConflictException))]
    [InlineData(413, typeof(ValidationException))]
    [InlineData(422, typeof(ValidationException))]
    [InlineData(429, typeof(RateLimitedException))]
    [InlineData(500, typeof(TaskFailedException))]
    [InlineData(503, typeof(ServiceUnavailableException))]
    [InlineData(504, typeof(TaskTimedOutException))]
    [InlineData(502, typeof(NeutrinoApiException))]
    [InlineData(418, typeof(NeutrinoApiException))]
    public async Task Each_problem_status_of_a_submission_is_its_own_exception(int status, Type expected)
    {
        var body = Problem(status, "Some title", "what happened", taskId: "t-7");
        var stub = new StubHandler().ThenProblem((HttpStatusCode)status, body);

        var error = await Assert.ThrowsAnyAsync<NeutrinoApiException>(() => Clients.Over(stub).RunAsync<object, object>("echo", new { }));

        Assert.Equal(expected, error.GetType());
        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.Equal("Some title", error.Title);
        Assert.Equal("what happened", error.Detail);
        Assert.Equal("t-7", error.TaskId);
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15", error.ProblemType);
        Assert.Equal(body, error.ResponseBody);
        Assert.Contains("what happened", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_sync_task_names_the_task_and_its_error()
    {
        var stub = new StubHandler().ThenProblem(HttpStatusCode.InternalServerError, Problem(500, "Task failed", "division by zero", Json.TaskId));

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => Clients.Over(stub).RunAsync<object, int>("divide", new { By = 0 }));

        Assert.Equal(Json.TaskId, error.TaskId);
        Assert.Equal("division by zero", error.Error);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(504)]
    public async Task A_500_or_504_without_a_task_is_not_a_tasks_failure(int status)
    {
        var stub = new StubHandler().Then(_ => StubHandler.Answer((HttpStatusCode)status, "<html>bad gateway</html>", "text/html"));

        var error = await Assert.ThrowsAnyAsync<NeutrinoApiException>(() => Clients.Over(stub).RunAsync<object, object>("echo", new { }));

        Assert.Equal(typeof(NeutrinoApiException), error.GetType());
        Assert.Null(error.Detail);
        Assert.Null(error.TaskId);
        Assert.Equal("<html>bad gateway</html>", error.ResponseBody);
        Assert.NotNull(error.Title);
    }

    [Fact]
    public async Task Rate_limits_carry_the_retry_after_seconds()
    {
        var stub = new StubHandler().ThenProblem(HttpStatusCode.TooManyRequests,
            Problem(429, "Too many requests", "Tenant 'acme' submits 5 a second at most."), ("Retry-After", "7"));

        var error = await Assert.ThrowsAsync<RateLimitedException>(() => Clients.Over(stub).SubmitAsync("sleep", new { }));

        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Equal("Tenant 'acme' submits 5 a second at most.", error.Detail);
    }

    [Fact]
    public async Task An_unavailable_gateway_carries_a_retry_after_date_as_the_wait_until_then()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
        var stub = new StubHandler().ThenProblem(HttpStatusCode.ServiceUnavailable,
            Problem(503, "Service unavailable", "The task store is unavailable."), ("Retry-After", "Wed, 02 Dec 2026 10:00:30 GMT"));

        var error = await Assert.ThrowsAsync<ServiceUnavailableException>(() => Clients.Over(stub, time).SubmitAsync("sleep", new { }));

        Assert.Equal(TimeSpan.FromSeconds(30), error.RetryAfter);
    }

    [Fact]
    public async Task Without_retry_after_the_wait_is_unknown()
    {
        var stub = new StubHandler().ThenProblem(HttpStatusCode.ServiceUnavailable, Problem(503, "Service unavailable", "down"));

        var error = await Assert.ThrowsAsync<ServiceUnavailableException>(() => Clients.Over(stub).SubmitAsync("sleep", new { }));

        Assert.Null(error.RetryAfter);
    }

    [Fact]
    public async Task A_404_outside_the_task_calls_is_a_plain_not_found()
    {
        var stub = new StubHandler().ThenProblem(HttpStatusCode.NotFound, Problem(404, "Key not found", "There is no key k-1."));

        var error = await Assert.ThrowsAsync<NotFoundException>(() => Clients.Over(stub).RevokeKeyAsync("k-1"));

        Assert.Equal("There is no key k-1.", error.Detail);
    }

    [Fact]
    public async Task Task_calls_throw_task_not_found_for_an_unknown_id()
    {
        var stub = new StubHandler()
            .ThenProblem(HttpStatusCode.NotFound, Problem(404, "Task not found", "There is no task with id 'x'."))
            .ThenProblem(HttpStatusCode.NotFound, Problem(404, "Task not found", "There is no task with id 'x'."))
            .ThenProblem(HttpStatusCode.NotFound, Problem(404, "Task not found", "There is no task with id 'x'."));
        var client = Clients.Over(stub);

        await Assert.ThrowsAsync<TaskNotFoundException>(() => client.WaitAsync("x", TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => client.CancelAsync("x"));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => client.RetryAsync("x"));
    }

    [Fact]
    public async Task Cancelling_a_finished_task_is_a_conflict_naming_it()
    {
        var stub = new StubHandler().ThenProblem(HttpStatusCode.Conflict,
            Problem(409, "Conflict", $"Task {Json.TaskId} is already completed; only queued or running tasks can be cancelled.", Json.TaskId));

        var error = await Assert.ThrowsAsync<ConflictException>(() => Clients.Over(stub).CancelAsync(Json.TaskId));

        Assert.Equal(Json.TaskId, error.TaskId);
        Assert.StartsWith("Conflict (409): Task ", error.Message, StringComparison.Ordinal);
    }
}
