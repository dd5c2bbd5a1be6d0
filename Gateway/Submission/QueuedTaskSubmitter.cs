using System.Diagnostics;
using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Neutrino.Core.Http;
using Neutrino.Core.Json;
using Neutrino.Core.Messaging;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;

namespace Neutrino.Gateway.Submission;

/// <summary>
/// Makes a queued task durable, then answers 202: the row is written, then the message is
/// acknowledged by the stream. Both steps run to the end even if the caller hangs up, so no task
/// is left recorded but never queued.
/// </summary>
internal sealed partial class QueuedTaskSubmitter(
    TaskStore store,
    INatsJSContext js,
    TimeProvider time,
    ILogger<QueuedTaskSubmitter> logger)
{
    /// <summary>The answer for the caller, and whether the task was accepted (queued durably).</summary>
    public async Task<(IResult Result, bool Accepted)> SubmitAsync(Guid id, TaskDefinition definition, TaskSubmission submission)
    {
        var priority = WireNames.Of(submission.Priority);

        // 1. Record it as queued. Failing here: nothing exists anywhere, the caller gets 503 and may retry.
        try
        {
            await store.InsertQueuedAsync(
                new NewTask(id, definition.Name, WireNames.Of(definition.Mode), definition.Pool, priority,
                    Encoding.UTF8.GetString(submission.Args.Span), definition.MaxAttempts, time.GetUtcNow()),
                CancellationToken.None);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogStoreFailed(logger, definition.Name, ex);
            return (TaskProblems.Unavailable("The task store is unavailable; the task was not accepted. Retry later."), false);
        }

        // 2. Publish with the task id as Nats-Msg-Id: a re-publish inside the duplicate window is dropped by the server.
        try
        {
            var headers = new NatsHeaders
            {
                [TaskHeaders.TaskId] = id.ToString(),
                [TaskHeaders.TaskName] = definition.Name,
            };
            InjectTraceContext(headers);
            var ack = await js.PublishAsync(
                Subjects.Task(definition.Pool, submission.Priority, definition.Name),
                submission.Args.ToArray(),
                opts: new NatsJSPubOpts { MsgId = id.ToString() },
                headers: headers,
                cancellationToken: CancellationToken.None);
            ack.EnsureSuccess();
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException)
        {
            // 3. Not queued: the row says so, and the caller gets 503, never 202.
            LogPublishFailed(logger, id, definition.Name, ex);
            await MarkNotQueuedAsync(id, ex.Message);
            return (TaskProblems.Unavailable("The task queue is unavailable; the task was not accepted. Retry later.", id), false);
        }

        var pollUrl = $"/tasks/{id}";
        return (TypedResults.Accepted(pollUrl, new TaskAccepted(id, "queued", pollUrl)), true);
    }

    private async Task MarkNotQueuedAsync(Guid id, string reason)
    {
        try
        {
            await store.FinishAsync(id, TaskState.Failed, null, $"could not be queued: {reason}", null, time.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogStoreFailed(logger, id.ToString(), ex);
        }
    }

    private static void InjectTraceContext(NatsHeaders headers) =>
        DistributedContextPropagator.Current.Inject(Activity.Current, headers, static (carrier, key, value) =>
        {
            if (carrier is NatsHeaders h && value is not null)
            {
                h[key] = value;
            }
        });

    [LoggerMessage(Level = LogLevel.Error, Message = "Task store unavailable while submitting {Task}")]
    private static partial void LogStoreFailed(ILogger logger, string task, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not queue task {TaskId} ({Task}); answered 503")]
    private static partial void LogPublishFailed(ILogger logger, Guid taskId, string task, Exception error);
}
