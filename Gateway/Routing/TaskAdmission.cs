using Microsoft.Extensions.Options;
using Neutrino.Core.Http;
using Neutrino.Core.Messaging;
using Neutrino.Core.Tasks;
using Neutrino.Gateway.Catalog;
using Neutrino.Gateway.Extensions;
using Neutrino.Gateway.Submission;

namespace Neutrino.Gateway.Routing;

/// <summary>The first step of the task route: unknown, malformed and oversize requests stop here; queued tasks are submitted here; sync tasks go on to the fast pool.</summary>
internal sealed class TaskAdmission(TaskCatalog catalog, QueuedTaskSubmitter submitter, IOptions<GatewayOptions> options)
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

        if (definition.Mode != TaskMode.Sync)
        {
            var result = await submitter.SubmitAsync(definition, submission);
            await result.ExecuteAsync(context);
            return;
        }

        // Sync: the body was consumed to validate it, so the buffered copy is what is forwarded.
        context.Request.Headers[TaskHeaders.TaskId] = Guid.CreateVersion7().ToString();
        context.Request.Body = new MemoryStream(body, writable: false);
        context.Request.ContentLength = body.Length;
        await next();
    }
}
