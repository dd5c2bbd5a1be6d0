using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Neutrino.Core.Http;
using Neutrino.Core.Json;
using Neutrino.Core.Tasks;
using Neutrino.Gateway.Auth;
using Neutrino.Gateway.Catalog;
using Neutrino.Gateway.Extensions;
using Neutrino.Gateway.Idempotency;

namespace Neutrino.Gateway.Submission;

/// <summary>
/// <c>POST /tasks/batch</c>: many queued tasks in one request, as Celery's <c>group</c> or Hangfire's
/// batches. Each task is admitted exactly as a single submission is (catalog, args, its own idempotency
/// key, the tenant's quota) and is durable before the answer; they are submitted concurrently, so their
/// rows share group commits and their publishes share the connection. Each is answered on its own: its
/// id, or its own error; one task's bad input never refuses its neighbours.
/// </summary>
internal sealed class BatchSubmission(
    TaskCatalog catalog,
    QueuedTaskSubmitter submitter,
    IdempotentReplay idempotency,
    TenantQuotas quotas,
    IOptions<GatewayOptions> options)
{
    private const string ItemTakes = "'task', 'args', 'priority' and 'idempotency_key'";

    public async Task<IResult> SubmitAsync(HttpContext context)
    {
        var limit = options.Value.MaxBatchBodyBytes;
        var body = await RequestBody.ReadAsync(context.Request, limit, context.RequestAborted);
        if (body is null)
        {
            return TaskProblems.TooLarge(limit);
        }
        if (!TryReadItems(body, options.Value.MaxBatchTasks, out var items, out var error))
        {
            return TaskProblems.BadRequest(error);
        }
        var caller = context.Caller();
        // Concurrently, and each to its end even if the caller hangs up (as a single submission).
        var results = await Task.WhenAll(items.Select(item => SubmitOneAsync(caller, item)));
        var accepted = results.Count(r => r.Status == StatusCodes.Status202Accepted);
        return TypedResults.Ok(new BatchAnswer(accepted, results.Length - accepted, results));
    }

    private async Task<BatchItemResult> SubmitOneAsync(ApiCaller caller, ReadOnlyMemory<byte> item)
    {
        string? task = null;
        string? key = null;
        string? keyError = null;
        if (!TaskSubmission.TryParse(item, out var submission, out var error, (ref Utf8JsonReader reader, out string? propertyError) =>
            {
                propertyError = null;
                if (reader.ValueTextEquals("task"u8) || reader.ValueTextEquals("idempotency_key"u8))
                {
                    var isTask = reader.ValueTextEquals("task"u8);
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        propertyError = isTask ? "'task' must be a task name (a string)." : "'idempotency_key' must be a string.";
                        return true;
                    }
                    if (isTask)
                    {
                        task = reader.GetString();
                    }
                    else
                    {
                        key = reader.GetString();
                    }
                    return true;
                }
                return false;
            }, ItemTakes))
        {
            return BatchItemResult.From(TaskProblems.BadRequest(error));
        }
        if (task is null)
        {
            return BatchItemResult.From(TaskProblems.BadRequest("Each task of a batch names its 'task'."));
        }
        var definition = catalog.Find(task);
        if (definition is null)
        {
            return BatchItemResult.From(TaskProblems.UnknownTask(task));
        }
        if (definition.Mode == TaskMode.Sync)
        {
            return BatchItemResult.From(TaskProblems.BadRequest($"'{task}' is a sync task: a batch queues tasks; call POST /api/{task} for its answer."));
        }

        var id = Guid.CreateVersion7();
        var idempotent = key is null ? null : IdempotencyRequest.From(caller.KeyId, key, task, item.Span, out keyError);
        if (keyError is not null)
        {
            return BatchItemResult.From(TaskProblems.BadRequest(keyError.Replace($"'{IdempotencyRequest.Header}'", "'idempotency_key'", StringComparison.Ordinal)));
        }
        if (idempotent is not null)
        {
            try
            {
                var claim = await idempotency.ClaimAsync(idempotent, id);
                if (!claim.Claimed)
                {
                    return Repeat(claim);
                }
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
            {
                return BatchItemResult.From(TaskProblems.Unavailable("Idempotency keys cannot be checked right now; the task was not accepted. Retry later."));
            }
        }
        BatchItemResult result;
        if (quotas.TryAdmit(caller.Tenant, queued: true) is { } refusal)
        {
            result = BatchItemResult.From(TaskProblems.Problem(StatusCodes.Status429TooManyRequests, "Tenant quota reached", refusal));
        }
        else
        {
            var (answer, _) = await submitter.SubmitAsync(id, definition, submission, caller, idempotent?.Key);
            result = BatchItemResult.From(answer);
        }
        if (idempotent is not null)
        {
            await idempotency.SettleAsync(idempotent, id, result.Status == StatusCodes.Status202Accepted);
        }
        return result;

        BatchItemResult Repeat(Core.Storage.IdempotencyClaim claim)
        {
            if (claim.RequestHash != idempotent.RequestHash)
            {
                return BatchItemResult.From(TaskProblems.Problem(StatusCodes.Status422UnprocessableEntity, "Idempotency key reused",
                    $"This 'idempotency_key' was first used with a different task or args (task {claim.TaskId}).", claim.TaskId));
            }
            // The first submission's task: accepted, it is this task's answer; otherwise it is still being
            // queued (or was refused and its key freed), which a retry of this task settles.
            return claim.Accepted
                ? new BatchItemResult(StatusCodes.Status202Accepted, claim.TaskId, $"/tasks/{claim.TaskId}", Replayed: true)
                : BatchItemResult.From(TaskProblems.Conflict(claim.TaskId, "The first submission with this 'idempotency_key' is still in progress; retry shortly."));
        }
    }

    /// <summary>The body's <c>tasks</c> array, each task's raw JSON; false with the reason when the body is not a batch.</summary>
    private static bool TryReadItems(byte[] body, int max, out List<ReadOnlyMemory<byte>> items, out string error)
    {
        items = [];
        error = "";
        const string Shape = "The body must be a JSON object {\"tasks\": [{\"task\": name, \"args\": ..., \"priority\"?: ..., \"idempotency_key\"?: ...}, ...]}.";
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 66 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = Shape;
                return false;
            }
            JsonElement? tasks = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!property.NameEquals("tasks"u8))
                {
                    error = $"Unknown property '{property.Name}': {Shape}";
                    return false;
                }
                tasks = property.Value;
            }
            if (tasks is not { ValueKind: JsonValueKind.Array } array)
            {
                error = Shape;
                return false;
            }
            var count = array.GetArrayLength();
            if (count is 0 || count > max)
            {
                error = $"A batch holds 1 to {max} tasks; this one has {count}.";
                return false;
            }
            foreach (var element in array.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object)
                {
                    error = $"Each of 'tasks' must be an object: {Shape}";
                    return false;
                }
                items.Add(JsonMarshal.GetRawUtf8Value(element).ToArray());
            }
            return true;
        }
        catch (Exception ex) when (TaskSubmission.Unreadable(ex) is { } reason)
        {
            error = reason;
            return false;
        }
    }
}

/// <summary>The answer of <c>POST /tasks/batch</c>: how many were accepted and refused, and each task's own answer in the order sent.</summary>
internal sealed record BatchAnswer(int Accepted, int Refused, IReadOnlyList<BatchItemResult> Tasks);

/// <summary>
/// One task of a batch: <c>status</c> is the HTTP status its single submission would have had (202 when
/// queued); an accepted one has its id and poll URL, a refused one its problem (title and detail).
/// </summary>
internal sealed record BatchItemResult(int Status, Guid? TaskId, string? PollUrl, bool Replayed = false, string? Title = null, string? Detail = null)
{
    public static BatchItemResult From(IResult result) => result switch
    {
        Accepted<TaskAccepted> { Value: { } accepted } => new(StatusCodes.Status202Accepted, accepted.TaskId, accepted.PollUrl),
        ProblemHttpResult { ProblemDetails: var problem } => new(problem.Status ?? StatusCodes.Status500InternalServerError,
            problem.Extensions.TryGetValue("task_id", out var id) ? id as Guid? : null, null, Title: problem.Title, Detail: problem.Detail),
        _ => throw new InvalidOperationException($"A submission answered {result.GetType().Name}."),
    };
}
