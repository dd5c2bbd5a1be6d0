namespace Neutrino.Core.Workers;

/// <summary>What a running handler knows of its task, and how it reports progress.</summary>
public sealed class TaskContext(Guid taskId, string name, int attempt, string workerId, string? tenant, Func<double, string?, CancellationToken, Task> reportProgress)
{
    public Guid TaskId { get; } = taskId;

    public string Name { get; } = name;

    /// <summary>1 for the first run; redeliveries and retries count up.</summary>
    public int Attempt { get; } = attempt;

    public string WorkerId { get; } = workerId;

    /// <summary>
    /// Whose task it is: the tenant of the API key the gateway authenticated. What a task keeps for
    /// its caller is scoped by it. Null for a task that did not come through the gateway.
    /// </summary>
    public string? Tenant { get; } = tenant;

    /// <summary>Records progress (0 to 1) and an optional message that <c>GET /tasks/{id}</c> shows.</summary>
    public Task ReportProgressAsync(double fraction, string? message = null, CancellationToken cancellationToken = default)
    {
        if (double.IsNaN(fraction) || fraction < 0 || fraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "Progress is a fraction from 0 to 1.");
        }
        return reportProgress(fraction, message, cancellationToken);
    }
}
