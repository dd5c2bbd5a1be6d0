using Microsoft.Extensions.Options;
using Neutrino.Core.Http;
using Neutrino.Core.Json;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;
using Neutrino.Gateway.Extensions;

namespace Neutrino.Gateway.Idempotency;

/// <summary>
/// Claims a key for a new request, or answers a repeated one with the task the key first created:
/// a queued task's <c>202</c>, or a sync task's recorded outcome. A claim whose request was not
/// accepted is released, so the caller's retry with the same key goes through.
/// </summary>
internal sealed class IdempotentReplay(
    IdempotencyStore store,
    TaskQueries queries,
    IOptions<GatewayOptions> options,
    TimeProvider time)
{
    // How long a repeat waits for the first request to record its task.
    private static readonly TimeSpan FirstRequestGrace = TimeSpan.FromSeconds(5);

    public Task<IdempotencyClaim> ClaimAsync(IdempotencyRequest request, Guid taskId) =>
        store.ClaimAsync(request.Scope, taskId, request.RequestHash, time.GetUtcNow(), options.Value.IdempotencyWindow, options.Value.AbandonedKeyAfter, CancellationToken.None);

    /// <summary>
    /// After the request was answered: an accepted task's key says so (a repeat then answers with it);
    /// a refused one's key is freed, so it does not pin a task that does not exist or never ran.
    /// </summary>
    public async Task SettleAsync(IdempotencyRequest request, Guid taskId, bool accepted)
    {
        try
        {
            if (accepted)
            {
                await store.AcceptAsync(request.Scope, taskId, time.GetUtcNow(), CancellationToken.None);
            }
            else
            {
                await store.ReleaseAsync(request.Scope, taskId, CancellationToken.None);
            }
        }
        catch (Npgsql.NpgsqlException)
        {
            // The store is down. Accepted: the task stands, and a repeat answers 409 until the key is taken
            // over once abandoned. Refused: the key answers with this unaccepted task until its window ends.
        }
    }

    public async Task<IResult> ReplayAsync(HttpContext context, TaskDefinition definition, IdempotencyRequest request, IdempotencyClaim claim)
    {
        var id = claim.TaskId;
        if (claim.RequestHash != request.RequestHash)
        {
            return TaskProblems.Problem(StatusCodes.Status422UnprocessableEntity, "Idempotency key reused",
                $"This '{IdempotencyRequest.Header}' was first used with a different task or body (task {id}).", id);
        }
        context.Response.Headers[IdempotencyRequest.ReplayedHeader] = "true";
        var cancellationToken = context.RequestAborted;
        // A sync task is recorded once it has finished, off the first request's path: a repeat that
        // arrives meanwhile waits for the record, up to the task's timeout.
        var view = await WaitForRecordAsync(id, definition.Mode == TaskMode.Sync ? definition.Timeout + FirstRequestGrace : FirstRequestGrace, cancellationToken);

        if (view is null || (definition.Mode == TaskMode.Sync && view.Status is "queued" or "running"))
        {
            return TaskProblems.Conflict(id, $"The first request with this '{IdempotencyRequest.Header}' is still in progress; retry shortly.");
        }
        if (definition.Mode != TaskMode.Sync)
        {
            // A 202 promises the task will run: only once the first request's task is in its queue. While
            // its publish is pending the repeat waits; if it was refused, its key is freed and the next
            // repeat goes through as new.
            if (!claim.Accepted && !await WaitForAcceptanceAsync(request, id, options.Value.PublishTimeout + FirstRequestGrace, cancellationToken))
            {
                return TaskProblems.Conflict(id, $"The first request with this '{IdempotencyRequest.Header}' was not accepted (yet); retry shortly.");
            }
            var pollUrl = $"/tasks/{id}";
            return TypedResults.Accepted(pollUrl, new TaskAccepted(id, view.Status, pollUrl));
        }
        return view.Status switch
        {
            "completed" => TypedResults.Ok(new SyncTaskResult(id, view.Name, view.Status, view.Result, view.DurationMs ?? 0, view.WorkerId ?? "")),
            _ when view.Error?.StartsWith("timed out", StringComparison.Ordinal) == true => TaskProblems.TimedOut(id, view.Error),
            _ => TaskProblems.Failed(id, view.Error ?? view.Status),
        };
    }

    private async Task<bool> WaitForAcceptanceAsync(IdempotencyRequest request, Guid id, TimeSpan grace, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var accepted = await store.IsAcceptedAsync(request.Scope, id, cancellationToken);
            if (accepted is not false || time.GetElapsedTime(started) > grace)
            {
                return accepted is true;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        }
    }

    private async Task<TaskView?> WaitForRecordAsync(Guid id, TimeSpan grace, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var view = await queries.GetAsync(id, cancellationToken);
            if (view is not null || time.GetElapsedTime(started) > grace)
            {
                return view;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }
    }
}
