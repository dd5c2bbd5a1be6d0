using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using Neutrino.Core.Http;
using Neutrino.Core.Json;
using Neutrino.Core.Messaging;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;
using Neutrino.Gateway.Admission;
using Neutrino.Gateway.Auth;
using Neutrino.Gateway.Catalog;
using Neutrino.Gateway.Extensions;
using Neutrino.Gateway.Submission;

namespace Neutrino.Gateway.Apis;

/// <summary>The task catalog and the polling API. <c>POST /api/{task}</c> is the proxy route (see <c>PoolProxy</c>).</summary>
internal static partial class TasksApi
{
    public static IEndpointRouteBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api", GetCatalog);

        var tasks = app.MapGroup("/tasks");
        tasks.MapGet("/", ListTasksAsync);
        tasks.MapDelete("/", DeleteTasksAsync);
        tasks.MapPost("/batch", (BatchSubmission batch, HttpContext context) => batch.SubmitAsync(context));
        tasks.MapGet("/{id}", GetTaskAsync);
        tasks.MapGet("/{id}/events", GetEventsAsync);
        tasks.MapDelete("/{id}", CancelTaskAsync);
        tasks.MapPost("/{id}/retry", RetryTaskAsync);
        return app;
    }

    private static Ok<IReadOnlyList<CatalogEntry>> GetCatalog(TaskCatalog catalog) =>
        TypedResults.Ok<IReadOnlyList<CatalogEntry>>([.. catalog.All.Select(t => CatalogEntry.From(t) with { ArgsSchema = catalog.ArgsSchema(t.Name) })]);

    private static async Task<Results<Ok<TaskPage>, ProblemHttpResult>> ListTasksAsync(
        [AsParameters] TaskFilterParameters parameters,
        int? limit,
        string? cursor,
        HttpContext context,
        TaskQueries queries,
        IOptions<GatewayOptions> options,
        CancellationToken cancellationToken)
    {
        // A member lists its tenant's tasks; an admin every tenant's, or one it names.
        if (!parameters.TryBuild(context.Caller(), out var filter, out var problem))
        {
            return problem!;
        }
        if (limit is < 1 or > TaskFilter.MaxLimit)
        {
            return TaskProblems.BadRequest($"'limit' must be between 1 and {TaskFilter.MaxLimit}.");
        }
        Guid? before = null;
        if (cursor is not null)
        {
            if (!Guid.TryParse(cursor, out var parsed))
            {
                return TaskProblems.BadRequest("'cursor' is not a cursor from a previous page.");
            }
            before = parsed;
        }
        var page = await queries.ListAsync(filter with { Before = before, Limit = limit ?? 50, MaxBytes = options.Value.MaxPageBytes }, cancellationToken);
        return TypedResults.Ok(page);
    }

    /// <summary>
    /// Deletes finished tasks the filter matches, with their history: at most <paramref name="limit"/> per
    /// call, oldest first, so a large clean-up is a loop of bounded statements that never holds many rows
    /// at once. Queued and running tasks are never deleted (cancel them first). A member deletes only its
    /// tenant's tasks. The answer says how many went and whether more match.
    /// </summary>
    private static async Task<Results<Ok<TasksDeleted>, ProblemHttpResult>> DeleteTasksAsync(
        [AsParameters] TaskFilterParameters parameters,
        int? limit,
        HttpContext context,
        TaskQueries queries,
        TaskRetentionStore retention,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (parameters.Status is null || parameters.Status is "queued" or "running")
        {
            return TaskProblems.BadRequest("'status' must be completed, failed or cancelled: only finished tasks are deleted, and only those the filter names.");
        }
        if (!parameters.TryBuild(context.Caller(), out var filter, out var problem))
        {
            return problem!;
        }
        if (limit is < 1 or > TasksDeleted.MaxLimit)
        {
            return TaskProblems.BadRequest($"'limit' must be between 1 and {TasksDeleted.MaxLimit}.");
        }
        const int Round = 500;
        var wanted = limit ?? TasksDeleted.DefaultLimit;
        var (deleted, more) = (0, true);
        Guid? after = null;
        while (more && deleted < wanted)
        {
            // One bounded round: the ids the filter picks (one more says whether more match), then those
            // still finished deleted under their row locks.
            var size = Math.Min(Round, wanted - deleted);
            var ids = await queries.FinishedIdsAsync(filter, after, size + 1, cancellationToken);
            more = ids.Count > size;
            var round = ids.Take(size).ToArray();
            if (round.Length == 0)
            {
                break;
            }
            deleted += await retention.DeleteFinishedAsync(round, cancellationToken);
            after = round[^1];
        }
        if (deleted > 0)
        {
            var (logger, by) = (loggers.CreateLogger("Neutrino.Gateway.Tasks"), context.Caller().Describe());
            LogDeleted(logger, deleted, context.Request.QueryString.Value, by);
        }
        return TypedResults.Ok(new TasksDeleted(deleted, more));
    }

    private static async Task<Results<Ok<TaskView>, ProblemHttpResult>> GetTaskAsync(
        string id,
        int? wait,
        HttpContext context,
        AdmissionControl admission,
        TaskQueries queries,
        INatsConnection nats,
        IOptions<GatewayOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var taskId))
        {
            return TaskProblems.Problem(StatusCodes.Status404NotFound, "Task not found", $"'{id}' is not a task id.");
        }
        var maxWait = options.Value.MaxWaitSeconds;
        if (wait is < 0 || wait > maxWait)
        {
            return TaskProblems.BadRequest($"'wait' must be between 0 and {maxWait} seconds.");
        }
        TaskView? view;
        if (wait is > 0)
        {
            using var slot = admission.AcquireLongPoll(context.Caller().KeyId.ToString());
            if (!slot.IsAcquired)
            {
                context.Response.Headers.RetryAfter = "1";
                return TaskProblems.Problem(StatusCodes.Status429TooManyRequests, "Too many long polls",
                    $"This API key already has {options.Value.MaxLongPollsPerKey} long polls waiting; poll without 'wait' or retry shortly.");
            }
            view = await LongPoll.WaitForTerminalAsync(taskId, context.Caller().VisibleTenant, TimeSpan.FromSeconds(wait.Value), queries, nats, time, cancellationToken);
        }
        else
        {
            view = await queries.GetAsync(taskId, cancellationToken, context.Caller().VisibleTenant);
        }
        return view is null ? TaskProblems.TaskNotFound(taskId) : TypedResults.Ok(view);
    }

    /// <summary>Every state change of the task, oldest first: attempts, their workers, retries, who cancelled or retried it.</summary>
    private static async Task<Results<Ok<TaskEventList>, ProblemHttpResult>> GetEventsAsync(string id, HttpContext context, TaskQueries queries, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var taskId))
        {
            return TaskProblems.Problem(StatusCodes.Status404NotFound, "Task not found", $"'{id}' is not a task id.");
        }
        return await queries.GetHistoryAsync(taskId, cancellationToken, context.Caller().VisibleTenant) is { } history
            ? TypedResults.Ok(history)
            : TaskProblems.TaskNotFound(taskId);
    }

    private static async Task<IResult> RetryTaskAsync(string id, HttpContext context, TaskQueries queries, QueuedTaskSubmitter submitter, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var taskId))
        {
            return TaskProblems.Problem(StatusCodes.Status404NotFound, "Task not found", $"'{id}' is not a task id.");
        }
        // Another tenant's task does not exist for a member key.
        return await queries.GetAsync(taskId, cancellationToken, context.Caller().VisibleTenant) is null
            ? TaskProblems.TaskNotFound(taskId)
            : await submitter.RetryAsync(taskId, context.Caller().Describe(), cancellationToken);
    }

    /// <summary>
    /// A queued task is cancelled at once and never runs. A running one is asked to stop: the
    /// answer is 202 and the worker records <c>cancelled</c> when the handler has stopped.
    /// </summary>
    private static async Task<Results<Ok<TaskView>, Accepted<TaskView>, ProblemHttpResult>> CancelTaskAsync(
        string id,
        HttpContext context,
        TaskStore store,
        TaskQueries queries,
        INatsConnection nats,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var taskId))
        {
            return TaskProblems.Problem(StatusCodes.Status404NotFound, "Task not found", $"'{id}' is not a task id.");
        }
        if (await queries.GetAsync(taskId, cancellationToken, context.Caller().VisibleTenant) is null)
        {
            return TaskProblems.TaskNotFound(taskId);
        }
        if (await store.CancelQueuedAsync(taskId, time.GetUtcNow(), cancellationToken, context.Caller().Describe()))
        {
            await nats.PublishAsync(Subjects.Done(taskId), cancellationToken: cancellationToken);
            return TypedResults.Ok((await queries.GetAsync(taskId, cancellationToken))!);
        }
        if (await store.RequestCancelAsync(taskId, time.GetUtcNow(), cancellationToken, context.Caller().Describe()))
        {
            await nats.PublishAsync(Subjects.Cancel(taskId), cancellationToken: cancellationToken);
            return TypedResults.Accepted($"/tasks/{taskId}", (await queries.GetAsync(taskId, cancellationToken))!);
        }
        var view = await queries.GetAsync(taskId, cancellationToken);
        if (view is { Status: "running" })
        {
            // Asked for before: asked again, in case the first message was lost (the worker also reads
            // the request back from the store on its own).
            await nats.PublishAsync(Subjects.Cancel(taskId), cancellationToken: cancellationToken);
        }
        return view switch
        {
            null => TaskProblems.TaskNotFound(taskId),
            { Status: "running" } => TypedResults.Accepted($"/tasks/{taskId}", view),
            _ => TaskProblems.Conflict(taskId, $"Task {taskId} is already {view.Status}; only queued or running tasks can be cancelled."),
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} finished tasks matching {Filter}, by {Caller}")]
    private static partial void LogDeleted(ILogger logger, int count, string? filter, string caller);
}
