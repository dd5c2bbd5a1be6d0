namespace Neutrino.Client;

/// <summary>
/// A task the gateway accepted, from <see cref="NeutrinoClient.SubmitAsync{TArgs}(string, TArgs, SubmitOptions?, CancellationToken)"/>
/// or <see cref="NeutrinoClient.RetryAsync"/>, with the calls that follow it up.
/// </summary>
public sealed class TaskHandle
{
    private readonly NeutrinoClient _client;

    /// <summary>A handle on task <paramref name="id"/>, which the gateway reported in state <paramref name="status"/>.</summary>
    public TaskHandle(NeutrinoClient client, string id, TaskState status, bool isReplayed)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(id);
        _client = client;
        Id = id;
        Status = status;
        IsReplayed = isReplayed;
    }

    /// <summary>The task id.</summary>
    public string Id { get; }

    /// <summary>
    /// The state the gateway answered with: <see cref="TaskState.Queued"/> for a queued task, or
    /// <see cref="TaskState.Completed"/> for a sync task, which has run by the time the submission returns.
    /// </summary>
    public TaskState Status { get; }

    /// <summary>Whether the gateway answered with the task an earlier submission with the same idempotency key created.</summary>
    public bool IsReplayed { get; }

    /// <summary>The task as it stands. See <see cref="NeutrinoClient.GetAsync"/>.</summary>
    public Task<TaskInfo> GetAsync(CancellationToken cancellationToken = default) => _client.GetAsync(Id, cancellationToken);

    /// <summary>The task once final, or as it stands when <paramref name="timeout"/> passes. See <see cref="NeutrinoClient.WaitAsync"/>.</summary>
    public Task<TaskInfo> WaitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        _client.WaitAsync(Id, timeout, cancellationToken);

    /// <summary>Cancels the task, or asks it to stop. See <see cref="NeutrinoClient.CancelAsync"/>.</summary>
    public Task<TaskInfo> CancelAsync(CancellationToken cancellationToken = default) => _client.CancelAsync(Id, cancellationToken);

    /// <summary>Retries the task after it failed. See <see cref="NeutrinoClient.RetryAsync"/>.</summary>
    public Task<TaskHandle> RetryAsync(CancellationToken cancellationToken = default) => _client.RetryAsync(Id, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"{Id} ({WireNames.Of(Status)})";
}
