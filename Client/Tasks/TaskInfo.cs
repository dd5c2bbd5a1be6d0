using System.Text.Json;
using System.Text.Json.Serialization;

namespace Neutrino.Client;

/// <summary>A task as the gateway shows it (<c>GET /tasks/{id}</c>), in any state.</summary>
/// <param name="Id">The task id.</param>
/// <param name="Name">The task's name in the catalog.</param>
/// <param name="Mode">How it runs.</param>
/// <param name="Pool">The pool that runs it.</param>
/// <param name="Status">Where it is in its life.</param>
/// <param name="Priority">Its priority.</param>
/// <param name="Args">Its arguments as submitted; see <see cref="GetArgs{T}"/>.</param>
/// <param name="Result">Its result once completed; see <see cref="GetResult{T}"/>.</param>
/// <param name="Error">Why its last attempt failed, when it did.</param>
/// <param name="Attempts">Attempts started so far.</param>
/// <param name="MaxAttempts">Attempts allowed before it fails.</param>
/// <param name="Progress">The progress its handler last reported, 0 to 1.</param>
/// <param name="ProgressMessage">The message its handler last reported with its progress.</param>
/// <param name="CreatedAt">When it was accepted.</param>
/// <param name="StartedAt">When its current or last attempt started.</param>
/// <param name="CompletedAt">When it reached a final state.</param>
/// <param name="DurationMs">How long its last attempt ran, in milliseconds.</param>
/// <param name="WorkerId">The worker of its current or last attempt.</param>
/// <param name="TraceId">Its trace, to look up in the telemetry backend.</param>
/// <param name="Tenant">The tenant it belongs to.</param>
/// <param name="SubmittedBy">The name of the API key that submitted it.</param>
/// <param name="IdempotencyKey">The idempotency key it was submitted with, if any.</param>
public sealed record TaskInfo(
    string Id,
    string Name,
    TaskMode Mode,
    string Pool,
    TaskState Status,
    TaskPriority Priority,
    JsonElement? Args,
    JsonElement? Result,
    string? Error,
    int Attempts,
    int MaxAttempts,
    double? Progress,
    string? ProgressMessage,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    long? DurationMs,
    string? WorkerId,
    string? TraceId,
    string? Tenant,
    string? SubmittedBy = null,
    string? IdempotencyKey = null)
{
    /// <summary>Whether the task is in a final state: completed, failed or cancelled.</summary>
    [JsonIgnore]
    public bool IsTerminal => Status is TaskState.Completed or TaskState.Failed or TaskState.Cancelled;

    /// <summary><see cref="DurationMs"/> as a <see cref="TimeSpan"/>.</summary>
    [JsonIgnore]
    public TimeSpan? Duration => DurationMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

    /// <summary>
    /// The result read as <typeparamref name="T"/>, with <paramref name="options"/> or else
    /// <see cref="NeutrinoClient.DefaultSerializerOptions"/> (pass the client's options if you gave it others).
    /// A completed task with a JSON <c>null</c> result gives <c>default</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The task is not completed; <see cref="Status"/> and <see cref="Error"/> say why.</exception>
    public T? GetResult<T>(JsonSerializerOptions? options = null)
    {
        if (Status is not TaskState.Completed)
        {
            var reason = Error is null ? "" : $": {Error}";
            throw new InvalidOperationException($"Task {Id} ({Name}) is {WireNames.Of(Status)}, not completed, so it has no result{reason}");
        }
        return Read<T>(Result, options);
    }

    /// <summary>The arguments read as <typeparamref name="T"/>, with <paramref name="options"/> or else <see cref="NeutrinoClient.DefaultSerializerOptions"/>.</summary>
    public T? GetArgs<T>(JsonSerializerOptions? options = null) => Read<T>(Args, options);

    private static T? Read<T>(JsonElement? value, JsonSerializerOptions? options) =>
        value is { } json ? json.Deserialize<T>(options ?? NeutrinoClient.DefaultSerializerOptions) : default;
}
