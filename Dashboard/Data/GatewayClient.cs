using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Neutrino.Core.Json;
using Neutrino.Core.Storage;

namespace Neutrino.Dashboard.Data;

/// <summary>What an action came to: done, or the gateway's problem detail in its own words.</summary>
public sealed record ActionOutcome(bool Succeeded, int Status, string Message);

/// <summary>
/// The gateway's API, called with the logged-in user's own key: every action the dashboard offers
/// (cancel, retry, delete, requeue, purge) is the API's, under the API's tenant rules, recorded in the task's
/// history with the key that asked. Found by service discovery as <c>gateway</c>.
/// </summary>
public sealed class GatewayClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public Task<ActionOutcome> CancelAsync(Viewer viewer, Guid id, CancellationToken cancellationToken) =>
        SendAsync(viewer, HttpMethod.Delete, $"/tasks/{id}", cancellationToken);

    public Task<ActionOutcome> RetryAsync(Viewer viewer, Guid id, CancellationToken cancellationToken) =>
        SendAsync(viewer, HttpMethod.Post, $"/tasks/{id}/retry", cancellationToken);

    public Task<ActionOutcome> RequeueDeadLetterAsync(Viewer viewer, ulong sequence, CancellationToken cancellationToken) =>
        SendAsync(viewer, HttpMethod.Post, $"/admin/dead-letters/{sequence}/requeue", cancellationToken);

    public Task<ActionOutcome> PurgeDeadLettersAsync(Viewer viewer, string pool, CancellationToken cancellationToken) =>
        SendAsync(viewer, HttpMethod.Delete, $"/admin/dead-letters?pool={Uri.EscapeDataString(pool)}", cancellationToken);

    /// <summary>
    /// One bounded round of <c>DELETE /tasks</c>: finished tasks matching <paramref name="filter"/> (and the
    /// search text <paramref name="q"/>), oldest first. The caller loops while <see cref="TasksDeleted.More"/>.
    /// </summary>
    public Task<(TasksDeleted? Value, string? Problem)> DeleteFinishedAsync(Viewer viewer, TaskFilter filter, string? q, CancellationToken cancellationToken)
    {
        var query = new Dictionary<string, string?>
        {
            ["status"] = filter.Status, ["name"] = filter.Name, ["pool"] = filter.Pool, ["mode"] = filter.Mode, ["priority"] = filter.Priority,
            ["tenant"] = filter.Tenant, ["worker"] = filter.WorkerId, ["q"] = q,
            ["from"] = filter.From?.ToString("O", CultureInfo.InvariantCulture), ["to"] = filter.To?.ToString("O", CultureInfo.InvariantCulture),
        };
        return ReadAsync<TasksDeleted>(viewer, HttpMethod.Delete, QueryHelpers.AddQueryString("/tasks", query.Where(p => p.Value is not null)), cancellationToken);
    }

    public Task<(QueueSnapshot? Value, string? Problem)> QueuesAsync(Viewer viewer, CancellationToken cancellationToken) =>
        GetAsync<QueueSnapshot>(viewer, "/admin/queues", cancellationToken);

    public Task<(ModelList? Value, string? Problem)> ModelsAsync(Viewer viewer, CancellationToken cancellationToken) =>
        GetAsync<ModelList>(viewer, "/v1/models", cancellationToken);

    public Task<(DeadLetterPage? Value, string? Problem)> DeadLettersAsync(Viewer viewer, string? pool, ulong? before, CancellationToken cancellationToken)
    {
        var query = new List<string> { "limit=50" };
        if (pool is not null)
        {
            query.Add($"pool={Uri.EscapeDataString(pool)}");
        }
        if (before is { } b)
        {
            query.Add($"before={b}");
        }
        return GetAsync<DeadLetterPage>(viewer, $"/admin/dead-letters?{string.Join('&', query)}", cancellationToken);
    }

    private Task<(T? Value, string? Problem)> GetAsync<T>(Viewer viewer, string path, CancellationToken cancellationToken)
        where T : class => ReadAsync<T>(viewer, HttpMethod.Get, path, cancellationToken);

    /// <summary>A call whose answer has a body: the body read, or the gateway's problem in its own words.</summary>
    private async Task<(T? Value, string? Problem)> ReadAsync<T>(Viewer viewer, HttpMethod method, string path, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            using var request = Request(viewer, method, path);
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return (null, await ProblemAsync(response, cancellationToken));
            }
            return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken), null);
        }
        catch (HttpRequestException ex)
        {
            return (null, $"The gateway could not be reached: {ex.Message}");
        }
    }

    private async Task<ActionOutcome> SendAsync(Viewer viewer, HttpMethod method, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var request = Request(viewer, method, path);
            using var response = await http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode
                ? new ActionOutcome(true, (int)response.StatusCode, "")
                : new ActionOutcome(false, (int)response.StatusCode, await ProblemAsync(response, cancellationToken));
        }
        catch (HttpRequestException ex)
        {
            return new ActionOutcome(false, 503, $"The gateway could not be reached: {ex.Message}");
        }
    }

    private static HttpRequestMessage Request(Viewer viewer, HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", viewer.Key);
        return request;
    }

    private static async Task<string> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            var problem = JsonNode.Parse(body);
            return problem?["detail"]?.GetValue<string>() ?? problem?["title"]?.GetValue<string>() ?? $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (JsonException)
        {
            return $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
    }
}

// The gateway's answers, as the dashboard reads them.
public sealed record ConsumerDepth(string Pool, string Priority, long Pending, long AckPending, long Redelivered, DateTimeOffset? LastDelivered);

public sealed record DeadLetterCount(string Pool, long Messages);

public sealed record QueueSnapshot(IReadOnlyList<ConsumerDepth> Consumers, IReadOnlyList<DeadLetterCount> DeadLetters, DateTimeOffset ReadAt, IReadOnlyList<DepthSample> History);

public sealed record DepthSample(DateTimeOffset At, string Pool, long Pending, long AckPending);

public sealed record DeadLetterView(ulong Sequence, string Pool, string Task, Guid? TaskId, string? Tenant, string? Error, int? Attempts, DateTimeOffset At, int Bytes);

public sealed record ModelObject(string Id, int Dimensions, int MaxTokens, string? Source, string? License, bool Loaded);

public sealed record ModelList(IReadOnlyList<ModelObject> Data);

public sealed record DeadLetterPage(IReadOnlyList<DeadLetterView> Items, ulong? NextBefore);
