using Microsoft.AspNetCore.Http.HttpResults;
using Neutrino.Core.Http;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;
using Neutrino.Gateway.Auth;

namespace Neutrino.Gateway.Apis;

/// <summary>
/// The filters of <c>GET /tasks</c> and <c>DELETE /tasks</c>, bound from the query string. Each bad value
/// is refused with a 400 that names its parameter; a filter that can match nothing is the caller's
/// mistake and never reaches the database (which refuses some characters outright).
/// </summary>
internal sealed record TaskFilterParameters(
    string? Status,
    string? Name,
    string? Pool,
    string? Tenant,
    string? Mode,
    string? Priority,
    string? Worker,
    DateTimeOffset? From,
    DateTimeOffset? To,
    string? Q)
{
    /// <summary>The filter the parameters say, seen through the caller's key: a member's is always its own tenant's.</summary>
    public bool TryBuild(ApiCaller caller, out TaskFilter filter, out ProblemHttpResult? problem)
    {
        filter = new TaskFilter();
        problem = Check(caller, out var search);
        if (problem is not null)
        {
            return false;
        }
        filter = new TaskFilter(
            Status, Name, Pool, Tenant: caller.VisibleTenant ?? Tenant, Mode: Mode, Priority: Priority, WorkerId: Worker, From: From, To: To, Search: search);
        return true;
    }

    private ProblemHttpResult? Check(ApiCaller caller, out TaskSearch? search)
    {
        search = null;
        if (Tenant is not null && !caller.MaySee(Tenant))
        {
            return TaskProblems.Problem(StatusCodes.Status403Forbidden, "Forbidden", $"This key reaches the tasks of tenant '{caller.Tenant}' only.");
        }
        if (Status is not null && !WireNames.TryParse(Status, out TaskState _))
        {
            return TaskProblems.BadRequest($"'status' must be queued, running, completed, failed or cancelled; got '{Status}'.");
        }
        if (Name is not null && !TaskDefinition.IsValidName(Name))
        {
            return TaskProblems.BadRequest("'name' must be a task name: 1-64 characters of a-z, 0-9, '_' or '-'.");
        }
        if (Pool is not null && !Pools.All.Contains(Pool))
        {
            return TaskProblems.BadRequest($"Unknown pool: use {string.Join(", ", Pools.All)}.");
        }
        if (Tenant is not null && !AdminApi.TenantName().IsMatch(Tenant))
        {
            return TaskProblems.BadRequest("'tenant' must be a tenant name: 1-64 characters of a-z, 0-9, '_' or '-'.");
        }
        if (Mode is not null && !WireNames.TryParse(Mode, out TaskMode _))
        {
            return TaskProblems.BadRequest($"'mode' must be sync, async or gpu; got '{Mode}'.");
        }
        if (Priority is not null && !WireNames.TryParse(Priority, out TaskPriority _))
        {
            return TaskProblems.BadRequest($"'priority' must be high, normal or low; got '{Priority}'.");
        }
        if (Worker is { Length: 0 or > 128 })
        {
            return TaskProblems.BadRequest("'worker' must be a worker id of 1-128 characters.");
        }
        if (From is not null && To is not null && From > To)
        {
            return TaskProblems.BadRequest("'from' is after 'to'.");
        }
        if (Q is not null && !TaskSearch.TryParse(Q, out search, out var problem))
        {
            return TaskProblems.BadRequest($"'q': {problem}");
        }
        return null;
    }
}
