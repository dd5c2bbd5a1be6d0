using System.Text;
using Microsoft.Extensions.Time.Testing;
using Neutrino.Core.Workers;

namespace Neutrino.Tests.Unit;

public sealed class TaskExecutorTests
{
    private static readonly TaskContext Context = new(Guid.CreateVersion7(), "t", 1, "w", null, (_, _, _) => Task.CompletedTask);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_result_is_completed()
    {
        var outcome = await Run(new Handler((args, _) => Task.FromResult(args.ToArray())), "[1]");
        Assert.Equal(OutcomeKind.Completed, outcome.Kind);
        Assert.Equal("[1]", Encoding.UTF8.GetString(outcome.Result!));
    }

    [Fact]
    public async Task A_result_over_the_limit_fails_the_task_naming_the_limit()
    {
        var handler = new Handler((_, _) => Task.FromResult(new byte[2048]));
        var outcome = await TaskExecutor.RunAsync(handler, "null"u8.ToArray(), Context, TimeSpan.FromMinutes(1), _time, default, maxResultBytes: 1024);
        Assert.Equal((OutcomeKind.Failed, false), (outcome.Kind, outcome.Retryable));
        Assert.Equal("the result is 2048 bytes, over the limit of 1024 bytes (MaxResultBytes)", outcome.Error);
    }

    [Fact]
    public async Task An_exception_fails_the_attempt_and_may_be_retried()
    {
        var outcome = await Run(new Handler((_, _) => throw new InvalidOperationException("boom")));
        Assert.Equal((OutcomeKind.Failed, true), (outcome.Kind, outcome.Retryable));
        Assert.Equal("InvalidOperationException: boom", outcome.Error);
    }

    [Fact]
    public async Task Bad_args_and_permanent_failures_are_not_retried()
    {
        var badArgs = await Run(new Handler((_, _) => throw new TaskArgumentException("'ms' must be positive")));
        var permanent = await Run(new Handler((_, _) => throw new PermanentTaskException("gone")));
        Assert.Equal((OutcomeKind.Failed, false, "'ms' must be positive"), (badArgs.Kind, badArgs.Retryable, badArgs.Error));
        Assert.Equal((OutcomeKind.Failed, false, "gone"), (permanent.Kind, permanent.Retryable, permanent.Error));
    }

    [Fact]
    public async Task Typed_handlers_reject_args_of_the_wrong_shape_as_argument_errors()
    {
        var outcome = await Run(new Typed(), """{"ms":"soon"}""");
        Assert.Equal((OutcomeKind.Failed, false), (outcome.Kind, outcome.Retryable));
        Assert.StartsWith("Invalid args for task 't'", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handler_that_ignores_its_token_still_times_out()
    {
        var never = new TaskCompletionSource<byte[]>();
        var run = Run(new Handler((_, _) => never.Task), timeout: TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5));
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((OutcomeKind.TimedOut, true), (outcome.Kind, outcome.Retryable));
        Assert.Equal("timed out after 5 s", outcome.Error);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_cancelled_not_failed()
    {
        using var cancel = new CancellationTokenSource();
        var run = Run(new Handler(async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return []; }), cancellationToken: cancel.Token);
        await cancel.CancelAsync();
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(OutcomeKind.Cancelled, outcome.Kind);
    }

    private Task<TaskOutcome> Run(ITaskHandler handler, string args = "null", TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        TaskExecutor.RunAsync(handler, Encoding.UTF8.GetBytes(args), Context, timeout ?? TimeSpan.FromMinutes(1), _time, cancellationToken);

    private sealed class Handler(Func<ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>> run) : ITaskHandler
    {
        public Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> args, TaskContext context, CancellationToken cancellationToken) => run(args, cancellationToken);
    }

    private sealed record SleepArgs(long Ms);

    private sealed class Typed : TaskHandler<SleepArgs, long>
    {
        public override Task<long> RunAsync(SleepArgs args, TaskContext context, CancellationToken cancellationToken) => Task.FromResult(args.Ms);
    }
}
