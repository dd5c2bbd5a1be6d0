namespace Neutrino.Client;

/// <summary>A task run to completion by <see cref="NeutrinoClient.RunAsync{TArgs, TResult}(string, TArgs, CancellationToken)"/>.</summary>
/// <typeparam name="TResult">The type the result was read as.</typeparam>
/// <param name="TaskId">The task id.</param>
/// <param name="Name">The task's name.</param>
/// <param name="Result">The result.</param>
/// <param name="DurationMs">How long the task ran, in milliseconds.</param>
/// <param name="WorkerId">The worker that ran it.</param>
/// <param name="IsReplayed">Whether the gateway answered with the recorded result of an earlier submission with the same idempotency key.</param>
public sealed record SyncResult<TResult>(string TaskId, string Name, TResult? Result, long DurationMs, string WorkerId, bool IsReplayed)
{
    /// <summary><see cref="DurationMs"/> as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan Duration => TimeSpan.FromMilliseconds(DurationMs);
}
