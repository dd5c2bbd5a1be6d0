using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Neutrino.Core.Http;
using Neutrino.Core.Json;
using Neutrino.Core.Messaging;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;
using Neutrino.Core.Telemetry;
using Neutrino.Gateway.Auth;
using Neutrino.Gateway.Extensions;

namespace Neutrino.Gateway.Submission;

/// <summary>
/// Makes a queued task durable, then answers 202: the row is written, then the message is
/// acknowledged by the stream. Both steps run to the end even if the caller hangs up, so no task
/// is left recorded but never queued.
/// </summary>
internal sealed partial class QueuedTaskSubmitter(
    TaskStore store,
    TaskQueries queries,
    INatsJSContext js,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<QueuedTaskSubmitter> logger)
{
    /// <summary>The answer for the caller, and whether the task was accepted (queued durably).</summary>
    public async Task<(IResult Result, bool Accepted)> SubmitAsync(
        Guid id, TaskDefinition definition, TaskSubmission submission, ApiCaller caller, string? idempotencyKey)
    {
        var priority = WireNames.Of(submission.Priority);
        var headers = Headers(id, definition.Name);
        var queueLimit = (js.Connection.ServerInfo?.MaxPayload ?? DefaultMaxPayload) - HeadersSize(headers);
        if (submission.Args.Length > queueLimit)
        {
            // Under the body limit but over what the broker takes in one message: refused before anything is
            // recorded, as the caller's problem (413), not as an outage.
            return (TaskProblems.Problem(StatusCodes.Status413PayloadTooLarge, "Args too large",
                $"The task's args are {submission.Args.Length} bytes; the queue takes at most {queueLimit} bytes of args in one task."), false);
        }

        // 1. Record it as queued. Failing here: nothing exists anywhere, the caller gets 503 and may retry.
        try
        {
            await store.InsertQueuedAsync(
                new NewTask(id, definition.Name, WireNames.Of(definition.Mode), definition.Pool, priority,
                    Encoding.UTF8.GetString(submission.Args.Span), definition.MaxAttempts, time.GetUtcNow(), caller.Tenant,
                    NeutrinoTelemetry.RecordedTraceId(), caller.Name, idempotencyKey),
                CancellationToken.None);
        }
        catch (TaskWriteRejectedException ex)
        {
            // The args passed the gateway's checks but not PostgreSQL's: the caller's problem, and theirs alone.
            return (TaskProblems.BadRequest($"'args' cannot be stored: {ex.InnerException?.Message ?? ex.Message}"), false);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogStoreFailed(logger, definition.Name, ex);
            return (TaskProblems.Unavailable("The task store is unavailable; the task was not accepted. Retry later."), false);
        }

        // 2. Publish with the task id as Nats-Msg-Id: a re-publish inside the duplicate window is dropped by the server.
        if (!await TryPublishAsync(id, definition.Pool, submission.Priority, headers, submission.Args, id.ToString()))
        {
            return (TaskProblems.Unavailable("The task queue is unavailable; the task was not accepted. Retry later.", id), false);
        }

        TaskMetrics.RecordSubmitted(definition.Name, definition.Pool);
        var pollUrl = $"/tasks/{id}";
        return (TypedResults.Accepted(pollUrl, new TaskAccepted(id, "queued", pollUrl)), true);
    }

    /// <summary>
    /// <c>POST /tasks/{id}/retry</c>: a failed queued task gets a new series of attempts under the same id.
    /// Only a failed task moves, so concurrent retries re-queue it once.
    /// </summary>
    public async Task<IResult> RetryAsync(Guid id, string? by, CancellationToken cancellationToken)
    {
        if (!await store.RequeueFailedAsync(id, time.GetUtcNow(), CancellationToken.None, by))
        {
            var current = await queries.GetAsync(id, cancellationToken);
            return current is null
                ? TaskProblems.TaskNotFound(id)
                : TaskProblems.Conflict(id, current.Mode == "sync"
                    ? "Sync tasks are not queued; call the task again instead."
                    : $"Task {id} is {current.Status}; only failed tasks can be retried.");
        }
        var task = (await queries.GetAsync(id, CancellationToken.None))!;
        var priority = WireNames.TryParse(task.Priority, out TaskPriority recorded) ? recorded : TaskPriority.Normal;
        var args = Encoding.UTF8.GetBytes(task.Args?.GetRawText() ?? "null");
        // A new message id: the first series' id may still be inside the duplicate window.
        if (!await TryPublishAsync(id, task.Pool, priority, Headers(id, task.Name), args, $"{id}:retry:{Guid.CreateVersion7()}"))
        {
            return TaskProblems.Unavailable("The task queue is unavailable; the task was not re-queued. Retry later.", id);
        }
        var pollUrl = $"/tasks/{id}";
        return TypedResults.Accepted(pollUrl, new TaskAccepted(id, "queued", pollUrl));
    }

    /// <summary>
    /// Publishes a queued task. On failure the task is marked failed ("could not be queued") and false is
    /// returned, unless a worker has started the task meanwhile: then the message was stored after all.
    /// </summary>
    private async Task<bool> TryPublishAsync(Guid id, string pool, TaskPriority priority, NatsHeaders headers, ReadOnlyMemory<byte> args, string messageId)
    {
        var name = headers[TaskHeaders.TaskName].ToString();
        try
        {
            await PublishAsync(pool, priority, headers, args, messageId);
            return true;
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
        {
            // Not acknowledged, which is not the same as not stored. The row decides under its lock: failed while
            // still queued (a copy delivered later is acknowledged and never run), or already taken by a worker.
            LogPublishFailed(logger, id, name, ex);
            if (await MarkNotQueuedAsync(id, ex is OperationCanceledException
                ? $"the queue did not acknowledge it within {options.Value.PublishTimeout.TotalSeconds:0.###} s"
                : ex.Message) is false)
            {
                LogQueuedAfterAll(logger, id, name);
                return true;
            }
            return false;
        }
    }

    /// <summary>
    /// Publishes a queued task and waits for the stream's acknowledgement. While the broker is away the
    /// client holds publishes until it reconnects, so the wait is bounded; a publish that lands after
    /// the deadline is harmless, as a task recorded failed is never started.
    /// </summary>
    public async Task PublishAsync(string pool, TaskPriority priority, NatsHeaders headers, ReadOnlyMemory<byte> args, string messageId)
    {
        using var deadline = new CancellationTokenSource(options.Value.PublishTimeout, time);
        var ack = await js.PublishAsync(
            Subjects.Task(pool, priority, headers[TaskHeaders.TaskName].ToString()),
            args.ToArray(),
            opts: new NatsJSPubOpts { MsgId = messageId },
            headers: headers,
            cancellationToken: deadline.Token);
        ack.EnsureSuccess();
    }

    /// <summary>A task message's headers: its id and name, and the trace it belongs to.</summary>
    public static NatsHeaders Headers(Guid id, string name)
    {
        var headers = new NatsHeaders
        {
            [TaskHeaders.TaskId] = id.ToString(),
            [TaskHeaders.TaskName] = name,
        };
        InjectTraceContext(headers);
        return headers;
    }

    /// <summary>
    /// The bytes the headers take in the message, as the protocol writes them ("NATS/1.0", a line per
    /// value, a blank line), with room for the message id the publish adds.
    /// </summary>
    private static int HeadersSize(NatsHeaders headers) =>
        "NATS/1.0\r\n\r\n".Length + "Nats-Msg-Id: \r\n".Length + MaxMessageIdLength
        + headers.Sum(h => h.Value.Sum(v => h.Key.Length + ": \r\n".Length + Encoding.UTF8.GetByteCount(v ?? "")));

    /// <summary>True: the task is failed; false: a worker had started it (it was queued after all); null: the store could not say.</summary>
    private async Task<bool?> MarkNotQueuedAsync(Guid id, string reason)
    {
        try
        {
            return await store.FailUnqueuedAsync(id, $"could not be queued: {reason}", time.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogStoreFailed(logger, id.ToString(), ex);
            return null;
        }
    }

    // NATS's default max_payload, until the server has said its own.
    private const int DefaultMaxPayload = 1024 * 1024;

    private const int MaxTraceHeaderLength = 512;

    // "{id}:retry:{id}"
    private const int MaxMessageIdLength = 36 + 7 + 36;

    private static void InjectTraceContext(NatsHeaders headers) =>
        DistributedContextPropagator.Current.Inject(Activity.Current, headers, static (carrier, key, value) =>
        {
            // A caller's tracestate is its own to size (W3C allows 512 characters); a longer one is not
            // carried into every message of the task.
            if (carrier is NatsHeaders h && value is not null && value.Length <= MaxTraceHeaderLength)
            {
                h[key] = value;
            }
        });

    [LoggerMessage(Level = LogLevel.Error, Message = "Task store unavailable while submitting {Task}")]
    private static partial void LogStoreFailed(ILogger logger, string task, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not queue task {TaskId} ({Task}); answered 503 unless a worker has it")]
    private static partial void LogPublishFailed(ILogger logger, Guid taskId, string task, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} ({Task}) was not acknowledged by the stream but a worker has started it: it was queued after all")]
    private static partial void LogQueuedAfterAll(ILogger logger, Guid taskId, string task);
}
