using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>Tenants and keys: keys in PostgreSQL, made and revoked by admins; members see their tenant only.</summary>
[Collection(SystemCollection.Name)]
public sealed class TenantTests(SystemFixture fixture)
{
    private readonly HttpClient _admin = fixture.System.CreateClient();

    [Fact]
    public async Task An_admin_makes_a_key_whose_secret_is_shown_once_and_lists_keys_without_secrets()
    {
        var response = await _admin.PostAsJsonAsync("/admin/keys", new { name = "ci", tenant = NewTenant(), role = "member" });
        var created = await TaskClient.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var key = created!["key"]!.GetValue<string>();
        Assert.StartsWith("nk_", key, StringComparison.Ordinal);
        var listing = await (await _admin.GetAsync("/admin/keys")).Content.ReadAsStringAsync();
        Assert.Contains(created["id"]!.GetValue<string>(), listing, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listing, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"bootstrap\"", listing, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"x","tenant":"Bad Tenant","role":"member"}""", "'tenant'")]
    [InlineData("""{"name":"x","tenant":"ok","role":"root"}""", "'role'")]
    [InlineData("""{"tenant":"ok","role":"member"}""", "'name'")]
    [InlineData("""{"name":""", "The body must be")]
    [InlineData("""{"name":"x","tenant":"ok","role":"member","extra":1}""", "The body must be")]
    public async Task A_bad_key_request_is_400_naming_the_field(string body, string field)
    {
        var (status, problem, _) = await PostRawAsync(_admin, "/admin/keys", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(field, problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_api_reads_its_body_as_json_whatever_the_content_type_as_curl_d_sends_it()
    {
        using var form = new StringContent($$"""{"name":"curl","tenant":"{{NewTenant()}}","role":"member"}""", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsync("/admin/keys", form)).StatusCode);
    }

    [Fact]
    public async Task A_member_key_is_403_at_the_admin_api()
    {
        using var member = fixture.System.CreateClient(await fixture.System.CreateKeyAsync("m", NewTenant(), "member"));

        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/admin/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PostAsJsonAsync("/admin/keys", new { name = "x", tenant = "x", role = "admin" })).StatusCode);
    }

    [Fact]
    public async Task A_member_sees_lists_cancels_and_retries_only_its_tenants_tasks()
    {
        var tenantA = NewTenant();
        using var a = fixture.System.CreateClient(await fixture.System.CreateKeyAsync("a", tenantA, "member"));
        using var b = fixture.System.CreateClient(await fixture.System.CreateKeyAsync("b", NewTenant(), "member"));
        var id = await a.SubmitAsync("fail", """{"args":{"times":-1}}"""); // fails at once, for good

        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/tasks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/tasks/{id}?wait=1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.DeleteAsync($"/tasks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.PostAsync($"/tasks/{id}/retry", null)).StatusCode);
        var theirs = await TaskClient.ReadJsonAsync(await b.GetAsync("/tasks?limit=500"));
        Assert.DoesNotContain(theirs!["items"]!.AsArray(), t => t!["id"]!.GetValue<string>() == id.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, (await b.GetAsync($"/tasks?tenant={tenantA}")).StatusCode);

        var mine = await TaskClient.ReadJsonAsync(await a.GetAsync("/tasks?limit=500"));
        Assert.All(mine!["items"]!.AsArray(), t => Assert.Equal(tenantA, t!["tenant"]!.GetValue<string>()));
        Assert.Contains(mine["items"]!.AsArray(), t => t!["id"]!.GetValue<string>() == id.ToString());
        Assert.Equal(tenantA, (await _admin.GetTaskAsync(id))!["tenant"]!.GetValue<string>());
        var adminView = await TaskClient.ReadJsonAsync(await _admin.GetAsync($"/tasks?tenant={tenantA}"));
        Assert.Contains(adminView!["items"]!.AsArray(), t => t!["id"]!.GetValue<string>() == id.ToString());
    }

    [Fact]
    public async Task A_revoked_key_is_refused()
    {
        var response = await _admin.PostAsJsonAsync("/admin/keys", new { name = "temp", tenant = NewTenant(), role = "member" });
        var created = (await TaskClient.ReadJsonAsync(response))!;
        using var temp = fixture.System.CreateClient(created["key"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await temp.GetAsync("/tasks")).StatusCode);

        var revoked = await _admin.DeleteAsync($"/admin/keys/{created["id"]!.GetValue<string>()}");

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.NotNull((await TaskClient.ReadJsonAsync(revoked))!["revoked_at"]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await temp.GetAsync("/tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.DeleteAsync($"/admin/keys/{Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task A_tenant_over_its_queued_quota_is_429_with_retry_after()
    {
        var tenant = NewTenant();
        using var member = fixture.System.CreateClient(await fixture.System.CreateKeyAsync("q", tenant, "member"));
        var set = await _admin.PutAsJsonAsync($"/admin/tenants/{tenant}", new { max_queued = 2 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        // The shared system's async pool runs one task at a time: a long one keeps the rest queued.
        var ids = new List<Guid>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 6 && refused is null; i++)
        {
            var (status, body, response) = await member.PostAsync("sleep", """{"args":{"ms":600000}}""");
            if (status == HttpStatusCode.TooManyRequests)
            {
                refused = response;
                Assert.Contains("limit of 2", body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(HttpStatusCode.Accepted, status);
                ids.Add(Guid.Parse(body!["task_id"]!.GetValue<string>()));
            }
        }
        try
        {
            Assert.NotNull(refused);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.InRange(ids.Count, 2, 3); // two queued, and perhaps one already running
        }
        finally
        {
            foreach (var id in ids)
            {
                await member.DeleteAsync($"/tasks/{id}");
            }
        }
    }

    [Fact]
    public async Task A_tenant_over_its_submission_rate_is_429()
    {
        var tenant = NewTenant();
        using var member = fixture.System.CreateClient(await fixture.System.CreateKeyAsync("r", tenant, "member"));
        await _admin.PutAsJsonAsync($"/admin/tenants/{tenant}", new { submissions_per_second = 1 });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await member.PostAsync("echo", """{"args":1}""")).Status);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        var tenants = await TaskClient.ReadJsonAsync(await _admin.GetAsync("/admin/tenants"));
        var row = tenants!.AsArray().Single(t => t!["name"]!.GetValue<string>() == tenant)!;
        Assert.Equal(1, row["submissions_per_second"]!.GetValue<int>());
    }

    private static string NewTenant() => $"t-{Guid.NewGuid():N}"[..20];

    private static async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PostRawAsync(HttpClient client, string path, string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var response = await client.PostAsync(path, content);
        return (response.StatusCode, await TaskClient.ReadJsonAsync(response), response);
    }
}
