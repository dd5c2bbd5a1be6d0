using System.Net;
using System.Text;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>Bad input is the caller's problem alone: a clear 4xx for it, and nothing for anyone else.</summary>
[Collection(SystemCollection.Name)]
public sealed class BadInputTests(SystemFixture fixture)
{
    private readonly HttpClient _client = fixture.System.CreateClient();

    [Theory]
    [InlineData("sleep", """{"args":{"ms":1,"x":"\u0000"}}""", "\\u0000")]
    [InlineData("echo", """{"args":{"x":"\u0000"}}""", "\\u0000")]
    [InlineData("sleep", """{"args":1e1000000}""", "out of range")]
    [InlineData("echo", """{"args":{"x":"\ud800"}}""", "unpaired UTF-16 surrogate")]
    public async Task Args_PostgreSQL_cannot_store_are_400_naming_the_problem(string task, string body, string problem)
    {
        var (status, json, _) = await _client.PostAsync(task, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("'args' cannot be stored", json!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(problem, json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_callers_unstorable_args_never_fail_another_callers_submission()
    {
        var bad = Enumerable.Range(0, 20).Select(_ => _client.PostAsync("sleep", """{"args":{"ms":1,"x":"\u0000"}}""")).ToList();
        var good = Enumerable.Range(0, 16).Select(async _ =>
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 40; i++)
            {
                statuses.Add((await _client.PostAsync("sleep", """{"args":{"ms":1}}""")).Status);
            }
            return statuses;
        }).ToList();

        Assert.All(await Task.WhenAll(bad), answer => Assert.Equal(HttpStatusCode.BadRequest, answer.Status));
        var answers = (await Task.WhenAll(good)).SelectMany(s => s).ToList();
        Assert.Equal(640, answers.Count(s => s == HttpStatusCode.Accepted));
    }

    [Fact]
    public async Task A_body_under_the_limit_fits_the_queue_and_its_task_runs()
    {
        // 1,048,554 bytes: under the gateway's 1 MiB limit, over NATS's default max_payload once headers are added.
        // The args are kept as sent, whitespace and all, so they are nearly the whole body.
        var padding = new string(' ', 1_048_554 - """{"args":{"ms":1}}""".Length);
        var body = "{\"args\":{\"ms\":1" + padding + "}}";
        Assert.Equal(1_048_554, Encoding.UTF8.GetByteCount(body));

        var id = await _client.SubmitAsync("sleep", body);

        var task = await _client.WaitForTerminalAsync(id);
        Assert.True(task.Status() == "completed", $"{task["error"]} after {task["attempts"]} attempts");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_naming_it()
    {
        var (status, json, _) = await _client.PostAsync("sleep", $$"""{"args":"{{new string('a', 1 << 20)}}"}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("1048576 bytes", json!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listing_is_bounded_by_bytes_and_ends_early_with_its_cursor()
    {
        // Four tasks with 400 KB of args each (sleep refuses the extra property, so they fail at once).
        var big = new string('x', 400_000);
        for (var i = 0; i < 4; i++)
        {
            await _client.SubmitAsync("sleep", "{\"args\":{\"ms\":1,\"pad\":\"" + big + "\"}}");
        }

        var response = await _client.GetAsync("/tasks?name=sleep&limit=500");
        var page = await TaskClient.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(response.Content.Headers.ContentLength ?? (await response.Content.ReadAsByteArrayAsync()).Length, 1, (1 << 20) + 400_000 + 4096);
        Assert.InRange(page!["items"]!.AsArray().Count, 1, 3);
        Assert.NotNull(page["next_cursor"]);
    }

    [Fact]
    public async Task One_key_cannot_hold_more_long_polls_than_its_share()
    {
        var id = await _client.SubmitAsync("sleep", """{"args":{"ms":600000}}""");
        try
        {
            using var client = fixture.System.CreateClient();
            client.Timeout = TimeSpan.FromMinutes(2);
            var polls = Enumerable.Range(0, 256).Select(_ => client.GetAsync($"/tasks/{id}?wait=10")).ToList();
            await Task.Delay(TimeSpan.FromSeconds(3)); // the 256 are waiting by now (they wait 10 s)
            var extra = await client.GetAsync($"/tasks/{id}?wait=4");

            Assert.Equal(HttpStatusCode.TooManyRequests, extra.StatusCode);
            Assert.NotNull(extra.Headers.RetryAfter);
            Assert.All(await Task.WhenAll(polls), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/tasks/{id}?wait=1")).StatusCode);
        }
        finally
        {
            await _client.DeleteAsync($"/tasks/{id}");
        }
    }

    [Theory]
    [InlineData("/v1/embeddings", """{"input":"\ud800"}""")]
    [InlineData("/v1/collections/anything/search", """{"\udc00x":"y","query":"q"}""")]
    public async Task A_v1_body_escaping_a_lone_surrogate_is_400(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await _client.PostAsync(path, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("unpaired UTF-16 surrogate", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
