using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Neutrino.Tests.Infrastructure;

/// <summary>The public HTTP API as a caller sees it, with bounded waits.</summary>
public static class TaskClient
{
    public static async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PostAsync(this HttpClient client, string task, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await client.PostAsync($"/api/{task}", content);
        return (response.StatusCode, await ReadJsonAsync(response), response);
    }

    public static async Task<Guid> SubmitAsync(this HttpClient client, string task, string body)
    {
        var (status, json, _) = await client.PostAsync(task, body);
        Assert.True(status == HttpStatusCode.Accepted, $"expected 202, got {(int)status}: {json}");
        return Guid.Parse(json!["task_id"]!.GetValue<string>());
    }

    public static async Task<JsonNode?> GetTaskAsync(this HttpClient client, Guid id, int waitSeconds = 0)
    {
        var response = await client.GetAsync(waitSeconds > 0 ? $"/tasks/{id}?wait={waitSeconds}" : $"/tasks/{id}");
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadJsonAsync(response);
    }

    /// <summary>Polls until the task's status satisfies <paramref name="done"/>; fails after <paramref name="timeout"/>.</summary>
    public static Task<JsonNode> WaitForAsync(this HttpClient client, Guid id, Func<string, bool> done, TimeSpan? timeout = null) =>
        client.WaitForAsync(id, task => done(task.Status()), waitSeconds: 0, timeout);

    /// <summary>Polls until the task is in a state <paramref name="done"/> accepts with at least <paramref name="progress"/> reported.</summary>
    public static Task<JsonNode> WaitForAsync(this HttpClient client, Guid id, Func<string, bool> done, double progress, TimeSpan? timeout = null) =>
        client.WaitForAsync(id, task => done(task.Status()) && (task["progress"]?.GetValue<double>() ?? 0) >= progress, waitSeconds: 0, timeout);

    /// <summary>Long-polls until the task is completed, failed or cancelled.</summary>
    public static Task<JsonNode> WaitForTerminalAsync(this HttpClient client, Guid id, TimeSpan? timeout = null) =>
        client.WaitForAsync(id, task => task.Status() is "completed" or "failed" or "cancelled", waitSeconds: 2, timeout);

    private static async Task<JsonNode> WaitForAsync(this HttpClient client, Guid id, Func<JsonNode, bool> done, int waitSeconds, TimeSpan? timeout)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        JsonNode? last = null;
        while (!deadline.IsCancellationRequested)
        {
            // ?wait= returns early only for a terminal state, so other states are polled plainly.
            last = await client.GetTaskAsync(id, waitSeconds);
            // A problem answer (say, 503 while a dependency restarts) has a numeric status: keep polling.
            if (last?["id"] is not null && done(last))
            {
                return last;
            }
            await Task.Delay(50, CancellationToken.None);
        }
        throw new TimeoutException($"Task {id} did not reach the expected state; last seen: {last}");
    }

    public static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    public static string Status(this JsonNode task) => task["status"]!.GetValue<string>();
}
