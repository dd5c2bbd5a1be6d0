namespace Neutrino.Core.Workers;

/// <summary>Runs one attempt of a handler under its timeout and turns whatever happens into a <see cref="TaskOutcome"/>.</summary>
public static class TaskExecutor
{
    public static async Task<TaskOutcome> RunAsync(
        ITaskHandler handler,
        ReadOnlyMemory<byte> args,
        TaskContext context,
        TimeSpan timeout,
        TimeProvider time,
        CancellationToken cancellationToken,
        long maxResultBytes = long.MaxValue)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            // WaitAsync: a handler that ignores its token still loses the slot at the deadline.
            var result = await handler.InvokeAsync(args, context, linked.Token).WaitAsync(linked.Token);
            if (result.Length > maxResultBytes)
            {
                // Running it again makes the same result: a failure of the task, not of the attempt.
                return new TaskOutcome(OutcomeKind.Failed,
                    Error: $"the result is {result.Length} bytes, over the limit of {maxResultBytes} bytes (MaxResultBytes)");
            }
            return new TaskOutcome(OutcomeKind.Completed, Result: result);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new TaskOutcome(OutcomeKind.Cancelled, Error: "cancelled");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return new TaskOutcome(OutcomeKind.TimedOut, Error: $"timed out after {timeout.TotalSeconds:0.###} s", Retryable: true);
        }
        catch (TaskArgumentException ex)
        {
            return new TaskOutcome(OutcomeKind.Failed, Error: ex.Message);
        }
        catch (PermanentTaskException ex)
        {
            return new TaskOutcome(OutcomeKind.Failed, Error: ex.Message);
        }
#pragma warning disable CA1031 // A handler's failure, whatever it is, is the task's outcome, not the worker's.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new TaskOutcome(OutcomeKind.Failed, Error: $"{ex.GetType().Name}: {ex.Message}", Retryable: true);
        }
    }
}
