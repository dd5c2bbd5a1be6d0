using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Neutrino.Core.Http;
using Neutrino.Core.Json;
using Neutrino.Core.Messaging;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;
using Neutrino.Core.Telemetry;
using Neutrino.Core.Workers;
using Neutrino.FastPool.Extensions;

namespace Neutrino.FastPool.Apis;

/// <summary>Runs sync tasks in the request. The gateway forwards <c>POST /api/{task}</c> here unchanged, with the task id in a header.</summary>
internal static class SyncTaskApi
{
    public static IEndpointRouteBuilder MapSyncTaskApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/{task}", RunAsync).RequireRateLimiting(FastPoolExtensions.HandlerLimiter);
        return app;
    }

    private static async Task<Results<Ok<SyncTaskResult>, ProblemHttpResult, EmptyHttpResult>> RunAsync(
        string task,
        HttpRequest request,
        TaskRegistry registry,
        SyncHistory history,
        WorkerIdentity identity,
        IServiceProvider services,
        IOptions<FastPoolOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var registration = registry.Find(task);
        if (registration is null)
        {
            return TaskProblems.UnknownTask(task);
        }
        var limit = options.Value.MaxBodyBytes;
        var body = await RequestBody.ReadAsync(request, limit, cancellationToken);
        if (body is null)
        {
            return TaskProblems.TooLarge(limit);
        }
        if (!TaskSubmission.TryParse(body, out var submission, out var error))
        {
            return TaskProblems.BadRequest(error);
        }
        var id = Guid.TryParse(request.Headers[TaskHeaders.TaskId], out var given) ? given : Guid.CreateVersion7();
        var tenant = Header(request, TaskHeaders.Tenant);

        TaskMetrics.RecordSubmitted(task, Pools.Fast);
        TaskMetrics.RecordStarted(task, Pools.Fast, queueWait: null);
        var startedAt = time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        var context = new TaskContext(id, task, 1, identity.Id, tenant, static (_, _, _) => Task.CompletedTask);
        var outcome = await TaskExecutor.RunAsync(
            registration.CreateHandler(services), submission.Args, context, registration.Definition.Timeout, time, cancellationToken, options.Value.MaxResultBytes);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var durationMs = (long)elapsed.TotalMilliseconds;
        TaskMetrics.RecordRan(task, Pools.Fast, outcome.Kind, elapsed);
        TaskMetrics.RecordFinished(task, Pools.Fast, outcome.State);

        var args = Encoding.UTF8.GetString(submission.Args.Span);
        var result = outcome.Result is null ? null : Encoding.UTF8.GetString(outcome.Result);
        history.Record(new SyncExecution(
            id, task, WireNames.Of(submission.Priority), args, WireNames.Of(outcome.State), result, outcome.Error,
            startedAt, startedAt.AddMilliseconds(durationMs), identity.Id, tenant, NeutrinoTelemetry.RecordedTraceId(),
            Header(request, TaskHeaders.KeyName), Header(request, TaskHeaders.IdempotencyKey)));

        return outcome.Kind switch
        {
            OutcomeKind.Completed => TypedResults.Ok(new SyncTaskResult(id, task, "completed", ParseResult(outcome.Result!), durationMs, identity.Id)),
            OutcomeKind.TimedOut => TaskProblems.TimedOut(id, outcome.Error!),
            OutcomeKind.Failed => TaskProblems.Failed(id, outcome.Error!),
            _ => TypedResults.Empty, // the caller went away
        };
    }

    private static string? Header(HttpRequest request, string name) => request.Headers[name].ToString() is { Length: > 0 } value ? value : null;

    private static JsonElement ParseResult(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
