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
internal static class TasksApi
{
    public static IEndpointRouteBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api", GetCatalog);

        var tasks = app.MapGroup("/tasks");
        tasks.MapGet("/", ListTasksAsync);
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
        TaskQueries queries,
        string? status,
        string? name,
        string? pool,
        string? tenant,
        int? limit,
        string? cursor,
        string? mode,
        string? priority,
        string? worker,
        DateTimeOffset? from,
        DateTimeOffset? to,
        string? q,
        HttpContext context,
        IOptions<GatewayOptions> options,
        CancellationToken cancellationToken)
    {
        // A member lists its tenant's tasks; an admin every tenant's, or one it names.
        var caller = context.Caller();
        if (tenant is not null && !caller.MaySee(tenant))
        {
            return TaskProblems.Problem(StatusCodes.Status403Forbidden, "Forbidden", $"This key lists the tasks of tenant '{caller.Tenant}' only.");
        }
        tenant = caller.VisibleTenant ?? tenant;
        if (status is not null && !WireNames.TryParse(status, out TaskState _))
        {
            return TaskProblems.BadRequest($"Unknown status '{status}': use queued, running, completed, failed or cancelled.");
        }
        // Filters that can match nothing are the caller's mistake, said as such (and never sent to the
        // database, which refuses some characters outright).
        if (name is not null && !TaskDefinition.IsValidName(name))
        {
            return TaskProblems.BadRequest($"'name' must be a task name: 1-64 characters of a-z, 0-9, '_' or '-'.");
        }
        if (pool is not null && !Pools.All.Contains(pool))
        {
            return TaskProblems.BadRequest($"Unknown pool: use {string.Join(", ", Pools.All)}.");
        }
        if (tenant is not null && !AdminApi.TenantName().IsMatch(tenant))
        {
            return TaskProblems.BadRequest("'tenant' must be a tenant name: 1-64 characters of a-z, 0-9, '_' or '-'.");
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
        if (mode is not null && !WireNames.TryParse(mode, out TaskMode _))
        {
            return TaskProblems.BadRequest($"'mode' must be sync, async or gpu; got '{mode}'.");
        }
        if (priority is not null && !WireNames.TryParse(priority, out TaskPriority _))
        {
            return TaskProblems.BadRequest($"'priority' must be high, normal or low; got '{priority}'.");
        }
        if (worker is { Length: 0 or > 128 })
        {
            return TaskProblems.BadRequest("'worker' must be a worker id of 1-128 characters.");
        }
        if (from is not null && to is not null && from > to)
        {
            return TaskProblems.BadRequest("'from' is after 'to'.");
        }
        TaskSearch? search = null;
        if (q is not null && !TaskSearch.TryParse(q, out search, out var problem))
        {
            return TaskProblems.BadRequest($"'q': {problem}");
        }
        var filter = new TaskFilter(status, name, pool, before, limit ?? 50, options.Value.MaxPageBytes, tenant, mode, priority, worker, from, to, search);
        var page = await queries.ListAsync(filter, cancellationToken);
        return TypedResults.Ok(page);
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
        if (await store.RequestCancelAsync(taskId, time.GetUtcNow(), cancellationToken))
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
}
