using Neutrino.Core.Workers;

namespace Neutrino.AsyncPool.Tasks;

internal sealed record FailArgs(int Times);

internal sealed record FailResult(int Attempts);

/// <summary>Fails its first <c>times</c> attempts, then succeeds: exercises retries and dead letters.</summary>
internal sealed class FailTask : TaskHandler<FailArgs, FailResult>
{
    public override Task<FailResult> RunAsync(FailArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        if (args.Times < 0)
        {
            throw new TaskArgumentException($"'times' must be 0 or more; got {args.Times}.");
        }
        if (context.Attempt <= args.Times)
        {
            throw new InvalidOperationException($"planned failure {context.Attempt} of {args.Times}");
        }
        return Task.FromResult(new FailResult(context.Attempt));
    }
}
