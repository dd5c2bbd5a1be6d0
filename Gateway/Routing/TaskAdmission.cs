using Microsoft.Extensions.Options;
using Neutrino.Core.Http;
using Neutrino.Core.Messaging;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;
using Neutrino.Gateway.Auth;
using Neutrino.Gateway.Catalog;
using Neutrino.Gateway.Extensions;
using Neutrino.Gateway.Idempotency;
using Neutrino.Gateway.Submission;
using Yarp.ReverseProxy.Forwarder;

namespace Neutrino.Gateway.Routing;

/// <summary>The first step of the task route: unknown, malformed and oversize requests stop here; queued tasks are submitted here; sync tasks go on to the fast pool.</summary>
internal sealed class TaskAdmission(TaskCatalog catalog, QueuedTaskSubmitter submitter, IdempotentReplay idempotency, TenantQuotas quotas, IOptions<GatewayOptions> options)
{
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var name = context.GetRouteValue("task") as string ?? "";
        var definition = catalog.Find(name);
        if (definition is null)
        {
            await TaskProblems.UnknownTask(name).ExecuteAsync(context);
            return;
        }
        var limit = options.Value.MaxBodyBytes;
        var body = await RequestBody.ReadAsync(context.Request, limit, context.RequestAborted);
        if (body is null)
        {
            await TaskProblems.TooLarge(limit).ExecuteAsync(context);
            return;
        }
        if (!TaskSubmission.TryParse(body, out var submission, out var error))
        {
            await TaskProblems.BadRequest(error).ExecuteAsync(context);
            return;
        }

        var id = Guid.CreateVersion7();
        var idempotent = IdempotencyRequest.From(context, name, body, out error);
        if (error is not null)
        {
            await TaskProblems.BadRequest(error).ExecuteAsync(context);
            return;
        }
        if (idempotent is not null)
        {
            IdempotencyClaim claim;
            try
            {
                claim = await idempotency.ClaimAsync(idempotent, id);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
            {
                context.Response.Headers.RetryAfter = "1";
                await TaskProblems.Unavailable("Idempotency keys cannot be checked right now; the task was not accepted. Retry later.").ExecuteAsync(context);
                return;
            }
            if (!claim.Claimed)
            {
                await (await idempotency.ReplayAsync(context, definition, idempotent, claim)).ExecuteAsync(context);
                return;
            }
        }

        // The tenant's quotas, after a repeat was answered (it submits nothing) and before anything is recorded.
        var caller = context.Caller();
        bool accepted;
        if (quotas.TryAdmit(caller.Tenant, queued: definition.Mode != TaskMode.Sync) is { } refusal)
        {
            context.Response.Headers.RetryAfter = "1";
            await TaskProblems.Problem(StatusCodes.Status429TooManyRequests, "Tenant quota reached", refusal).ExecuteAsync(context);
            accepted = false;
        }
        else if (definition.Mode != TaskMode.Sync)
        {
            var (result, queued) = await submitter.SubmitAsync(id, definition, submission, caller, idempotent?.Key);
            if (result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable })
            {
                // The store or the stream was unavailable (a JetStream election takes seconds): worth retrying soon.
                context.Response.Headers.RetryAfter = "1";
            }
            await result.ExecuteAsync(context);
            accepted = queued;
        }
        else
        {
            // Sync: the body was consumed to validate it, so the buffered copy is what is forwarded.
            context.Request.Headers[TaskHeaders.TaskId] = id.ToString();
            context.Request.Body = new MemoryStream(body, writable: false);
            context.Request.ContentLength = body.Length;
            await next();
            // Ran (and was recorded) only if the fast pool answered with an outcome: 200, 500 or 504.
            accepted = context.GetForwarderErrorFeature() is null
                && context.Response.StatusCode is StatusCodes.Status200OK or StatusCodes.Status500InternalServerError or StatusCodes.Status504GatewayTimeout;
        }
        if (idempotent is not null)
        {
            await idempotency.SettleAsync(idempotent, id, accepted);
        }
    }
}
