using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Neutrino.Core.Http;
using Neutrino.Core.Storage;
using Neutrino.Gateway.Auth;

namespace Neutrino.Gateway.Apis;

internal sealed record NewKeyRequest(string? Name, string? Tenant, string? Role);

internal sealed record KeyView(Guid Id, string Name, string Tenant, string Role, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public static KeyView From(ApiKeyRecord k) => new(k.Id, k.Name, k.Tenant, k.Role, k.CreatedAt, k.LastUsedAt, k.RevokedAt);
}

/// <summary>A key as made: the only answer that ever holds its secret.</summary>
internal sealed record CreatedKey(Guid Id, string Key, string Name, string Tenant, string Role, DateTimeOffset CreatedAt);

internal sealed record TenantQuotaRequest(int? MaxQueued, int? SubmissionsPerSecond);

internal sealed record TenantView(string Name, int? MaxQueued, int? SubmissionsPerSecond, long Queued);

/// <summary>
/// <c>/admin</c>: keys and tenants, for admin keys only (a member key is 403). A key is made with a
/// name, a tenant and a role, and its secret is answered once; revoking it takes effect on this
/// gateway at once and on every other within its refresh interval.
/// </summary>
internal static partial class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").AddEndpointFilter(RequireAdminAsync);
        admin.MapPost("/keys", CreateKeyAsync);
        admin.MapGet("/keys", ListKeysAsync);
        admin.MapDelete("/keys/{id}", RevokeKeyAsync);
        admin.MapGet("/tenants", ListTenantsAsync);
        admin.MapPut("/tenants/{name}", SetTenantAsync);
        admin.MapQueuesApi();
        return app;
    }

    /// <summary>Tenant names become part of what scopes tasks and collections: the task-name alphabet.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    public static partial Regex TenantName();

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>
    /// The body as JSON whatever its Content-Type says (as under <c>/api</c>, so <c>curl -d</c> works), or
    /// a <c>400</c> naming the problem.
    /// </summary>
    private static async Task<(T? Request, ProblemHttpResult? Problem)> ReadAsync<T>(HttpContext context, string shape)
        where T : class
    {
        var body = await RequestBody.ReadAsync(context.Request, 64 * 1024, context.RequestAborted);
        if (body is null)
        {
            return (null, TaskProblems.TooLarge(64 * 1024));
        }
        try
        {
            return (System.Text.Json.JsonSerializer.Deserialize<T>(body, Json), null);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return (null, TaskProblems.BadRequest($"The body must be {shape}: {ex.Message}"));
        }
    }

    private static async ValueTask<object?> RequireAdminAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next) =>
        invocation.HttpContext.Caller().IsAdmin
            ? await next(invocation)
            : TaskProblems.Problem(StatusCodes.Status403Forbidden, "Forbidden", "Only an admin key may manage keys and tenants.");

    private static async Task<Results<Created<CreatedKey>, ProblemHttpResult>> CreateKeyAsync(
        HttpContext context, ApiKeyStore store, ApiKeys keys, CancellationToken cancellationToken)
    {
        var (request, problem) = await ReadAsync<NewKeyRequest>(context, """{"name": …, "tenant": …, "role": "admin"|"member"}""");
        if (problem is not null)
        {
            return problem;
        }
        if (request?.Name is not { Length: > 0 and <= 100 } name || name.Any(char.IsControl))
        {
            return TaskProblems.BadRequest("'name' is required: 1 to 100 characters, no control characters.");
        }
        if (request.Tenant is not { } tenant || !TenantName().IsMatch(tenant))
        {
            return TaskProblems.BadRequest("'tenant' is required: 1 to 64 characters of a-z, 0-9, '_' or '-', starting with a letter or digit.");
        }
        if (request.Role is not (ApiKeyStore.AdminRole or ApiKeyStore.MemberRole))
        {
            return TaskProblems.BadRequest("'role' must be \"admin\" or \"member\".");
        }
        var secret = ApiKeyStore.NewSecret();
        var record = await store.CreateAsync(name, tenant, request.Role, ApiKeyStore.Hash(secret), cancellationToken);
        keys.Add(record);
        return TypedResults.Created($"/admin/keys/{record.Id}", new CreatedKey(record.Id, secret, record.Name, record.Tenant, record.Role, record.CreatedAt));
    }

    private static async Task<Ok<IReadOnlyList<KeyView>>> ListKeysAsync(ApiKeyStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<KeyView>>([.. (await store.ListAsync(cancellationToken)).Select(KeyView.From)]);

    private static async Task<Results<Ok<KeyView>, ProblemHttpResult>> RevokeKeyAsync(
        string id, ApiKeyStore store, ApiKeys keys, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var keyId))
        {
            return TaskProblems.Problem(StatusCodes.Status404NotFound, "Key not found", $"'{id}' is not a key id.");
        }
        if (keyId == keys.BootstrapId)
        {
            return TaskProblems.Problem(StatusCodes.Status409Conflict, "The bootstrap key stays",
                "The bootstrap key is replaced by changing Neutrino:Auth:BootstrapKey (the AppHost's api-key parameter), not revoked here.");
        }
        var record = await store.RevokeAsync(keyId, cancellationToken);
        if (record is null)
        {
            return TaskProblems.Problem(StatusCodes.Status404NotFound, "Key not found", $"There is no key {keyId}.");
        }
        keys.Remove(keyId);
        return TypedResults.Ok(KeyView.From(record));
    }

    private static async Task<Ok<IReadOnlyList<TenantView>>> ListTenantsAsync(ApiKeyStore store, TenantQuotas quotas, CancellationToken cancellationToken)
    {
        var rows = (await store.TenantsAsync(cancellationToken)).Select(t => t.Name);
        var withKeys = (await store.ListAsync(cancellationToken)).Select(k => k.Tenant);
        return TypedResults.Ok<IReadOnlyList<TenantView>>([.. rows.Union(withKeys).Order(StringComparer.Ordinal).Select(name =>
        {
            var (maxQueued, rate) = quotas.Of(name);
            return new TenantView(name, maxQueued, rate, quotas.QueuedOf(name));
        })]);
    }

    private static async Task<Results<Ok<TenantView>, ProblemHttpResult>> SetTenantAsync(
        string name, HttpContext context, ApiKeyStore store, TenantQuotas quotas, CancellationToken cancellationToken)
    {
        var (request, problem) = await ReadAsync<TenantQuotaRequest>(context, """{"max_queued": n | null, "submissions_per_second": n | null}""");
        if (problem is not null)
        {
            return problem;
        }
        if (!TenantName().IsMatch(name))
        {
            return TaskProblems.BadRequest("The tenant name is 1 to 64 characters of a-z, 0-9, '_' or '-', starting with a letter or digit.");
        }
        if (request is null || request.MaxQueued is < 1 || request.SubmissionsPerSecond is < 1 or > 1_000_000)
        {
            return TaskProblems.BadRequest("The body is {\"max_queued\": n ≥ 1 | null, \"submissions_per_second\": 1 to 1000000 | null}; null means the gateway's default.");
        }
        quotas.Set(await store.SetTenantAsync(name, request.MaxQueued, request.SubmissionsPerSecond, cancellationToken));
        var (maxQueued, rate) = quotas.Of(name);
        return TypedResults.Ok(new TenantView(name, maxQueued, rate, quotas.QueuedOf(name)));
    }
}
