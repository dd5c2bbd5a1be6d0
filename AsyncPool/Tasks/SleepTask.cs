using Neutrino.Core.Workers;

namespace Neutrino.AsyncPool.Tasks;

internal sealed record SleepArgs(long Ms);

internal sealed record SleepResult(long SleptMs);

/// <summary>Sleeps for <c>ms</c> milliseconds, reporting progress as it goes; honours cancellation at once.</summary>
internal sealed class SleepTask(TimeProvider time) : TaskHandler<SleepArgs, SleepResult>
{
    private static readonly long MaxMs = (long)TimeSpan.FromDays(1).TotalMilliseconds;

    public override async Task<SleepResult> RunAsync(SleepArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        if (args.Ms < 0 || args.Ms > MaxMs)
        {
            throw new TaskArgumentException($"'ms' must be between 0 and {MaxMs}; got {args.Ms}.");
        }
        // Progress at most every 10 % and never more often than every 100 ms.
        var steps = (int)Math.Clamp(args.Ms / 100, 1, 10);
        var step = TimeSpan.FromMilliseconds((double)args.Ms / steps);
        for (var i = 1; i <= steps; i++)
        {
            await Task.Delay(step, time, cancellationToken);
            if (steps > 1)
            {
                await context.ReportProgressAsync((double)i / steps, $"slept {i * step.TotalMilliseconds:0} of {args.Ms} ms", cancellationToken);
            }
        }
        return new SleepResult(args.Ms);
    }
}
