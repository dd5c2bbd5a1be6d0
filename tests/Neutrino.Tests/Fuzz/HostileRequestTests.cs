using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Neutrino.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Neutrino.Tests.Fuzz;

/// <summary>
/// Thousands of malformed and hostile requests against every endpoint of the gateway, from a member
/// key of one tenant, with bad keys and bad idempotency keys among them: never a 5xx, never another
/// tenant's data in an answer, never an accepted task that is not there afterwards.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class HostileRequestTests(SystemFixture fixture, ITestOutputHelper output)
{
    private const int Requests = 2000;

    private sealed record Request(HttpMethod Method, string Path, string? Body, string? Key, string? IdempotencyKey, string? ContentType);

    private static readonly Gen<string> Segment = Gen.OneOf(
        Gen.Guid.Select(g => g.ToString()),
        Gen.Const("00000000-0000-0000-0000-000000000000"),
        Gen.String[Gen.Char.AlphaNumeric, 0, 40],
        Gen.String.Select(Uri.EscapeDataString),
        Gen.Const("..%2F..%2Fadmin"),
        Gen.Const(new string('9', 3000)),
        Gen.Const("%00"),
        Gen.Const("%F0%9F%98%80"));

    private static readonly Gen<string> Number = Gen.OneOf(
        Gen.Const("1e1000000"), Gen.Const("-1e-1000000"), Gen.Const("1e1000"), Gen.Const("-0"), Gen.Const("0.0000000000000000000001"),
        Gen.Const(new string('7', 140_000)), Gen.Const("1" + new string('0', 400) + ".5"),
        Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "1"));

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.Const("\"\\u0000\""), Gen.Const("\"\\ud800\""), Gen.Const("\"\\udc00x\""), Gen.Const("\"\\ud83d\\ude00\""),
        Gen.String.Select(s => JsonSerializer.Serialize(s)),
        Gen.Int[0, 200_000].Select(n => JsonSerializer.Serialize(new string('w', n))),
        Gen.Const("\"unterminated"));

    private static readonly Gen<string> Json = Gen.Recursive<string>((depth, self) => depth >= 4
        ? Gen.OneOf(Number, Text, Gen.Const("null"), Gen.Const("true"))
        : Gen.OneOf(
            Number,
            Text,
            Gen.Const("null"),
            self.Array[0, 4].Select(items => $"[{string.Join(',', items)}]"),
            Gen.Select(Text, self).Array[0, 4].Select(members => $"{{{string.Join(',', members.Select(m => $"{m.Item1}:{m.Item2}"))}}}"),
            Gen.Int[1, 2000].Select(n => new string('[', n) + new string(']', n)),
            Gen.Const("{\"ms\":1}"), Gen.Const("{\"ms\":-5}"), Gen.Const("{\"ms\":1,\"x\":\"\\u0000\"}"), Gen.Const("{\"times\":-1}"),
            Gen.Const("{\"input\":\"hello\"}"), Gen.Const("{\"texts\":[\"a\",\"\"]}")));

    private static readonly Gen<string?> Body = Gen.OneOf(
        Json.Select(args => (string?)$"{{\"args\":{args}}}"),
        Gen.Select(Json, Gen.OneOf(Gen.Const("\"high\""), Gen.Const("\"urgent\""), Gen.Const("1"), Text)).Select(t => (string?)$"{{\"args\":{t.Item1},\"priority\":{t.Item2}}}"),
        Json.Select(j => (string?)j),
        Gen.Byte.Array[0, 300].Select(b => (string?)Encoding.Latin1.GetString(b)),
        Gen.String.Select(s => (string?)s),
        Gen.Select(Json, Json).Select(t => (string?)$"{{\"input\":{t.Item1},\"model\":{t.Item2}}}"),
        Gen.Select(Text, Text, Text).Select(t => (string?)$"{{\"name\":{t.Item1},\"tenant\":{t.Item2},\"role\":{t.Item3}}}"),
        Gen.Const((string?)null),
        Gen.Const<string?>(""));

    private static readonly Gen<string> Query = Gen.OneOf(
        Gen.Const("?wait=1"), Gen.Const("?wait=-1"), Gen.Const("?wait=99999999999"), Gen.Const("?wait=abc"),
        Gen.Const("?limit=0"), Gen.Const("?limit=500"), Gen.Const("?limit=-9"), Gen.Const("?limit=1e9"),
        Gen.Const("?status=nope"), Gen.Const("?status=failed&limit=3"), Gen.Const("?tenant=default"), Gen.Const("?tenant=%00"),
        Segment.Select(s => $"?cursor={s}"), Segment.Select(s => $"?name={s}&pool={s}"), Gen.Const(""));


    [Fact]
    public async Task Hostile_requests_never_get_a_5xx_never_see_another_tenants_data_and_never_lose_an_accepted_task()
    {
        // Tenant A's task and collection, with a marker that must never appear in an answer to tenant B.
        var marker = $"secret-of-a-{Guid.NewGuid():N}";
        using var a = fixture.System.CreateClient(await fixture.System.CreateKeyAsync("fuzz-a", "fuzz-a", "member"));
        var taskOfA = await a.SubmitAsync("fail", "{\"args\":{\"times\":-1,\"" + marker + "\":1}}");
        var memberB = await fixture.System.CreateKeyAsync("fuzz-b", "fuzz-b", "member");

        var key = Gen.Frequency((8, Gen.Const<string?>(memberB)), (1, Gen.Const((string?)null)), (1, Gen.String.Select(s => (string?)s)), (1, Gen.Const<string?>("Bearer")));
        var idempotency = Gen.Frequency((6, Gen.Const((string?)null)), (1, Gen.String[Gen.Char.AlphaNumeric, 1, 20].Select(s => (string?)s)), (1, Gen.String.Select(s => (string?)s)), (1, Gen.Const<string?>("fixed-key")));
        var contentType = Gen.Frequency((8, Gen.Const<string?>("application/json")), (1, Gen.Const<string?>("text/plain")), (1, Gen.Const((string?)null)));
        var target = Gen.OneOf(
            Gen.OneOf(Gen.Const("echo"), Gen.Const("sleep"), Gen.Const("fail"), Gen.Const("embed"), Gen.Const("embed_documents"), Segment).Select(t => (HttpMethod.Post, $"/api/{t}")),
            Gen.Select(Segment, Query).Select(t => (HttpMethod.Get, $"/tasks/{t.Item1}{t.Item2}")),
            Gen.Const((HttpMethod.Get, $"/tasks/{taskOfA}")),
            Gen.Const((HttpMethod.Delete, $"/tasks/{taskOfA}")),
            Gen.Const((HttpMethod.Post, $"/tasks/{taskOfA}/retry")),
            Segment.Select(s => (HttpMethod.Delete, $"/tasks/{s}")),
            Segment.Select(s => (HttpMethod.Post, $"/tasks/{s}/retry")),
            Query.Select(q => (HttpMethod.Get, $"/tasks{q}")),
            Gen.Const((HttpMethod.Post, "/v1/embeddings")),
            Gen.Const((HttpMethod.Get, "/v1/collections")),
            Gen.Const((HttpMethod.Get, $"/v1/collections/{marker[..20]}")),
            Segment.Select(s => (HttpMethod.Post, $"/v1/collections/{s}/search")),
            Segment.Select(s => (HttpMethod.Delete, $"/v1/collections/{s}")),
            Gen.Const((HttpMethod.Get, "/admin/keys")),
            Gen.Const((HttpMethod.Post, "/admin/keys")),
            Segment.Select(s => (HttpMethod.Put, $"/admin/tenants/{s}")),
            Gen.Const((HttpMethod.Get, "/api")),
            Gen.Const((HttpMethod.Get, "/openapi/v1.json")));
        var requests = Gen.Select(target, Body, key, idempotency, contentType)
            .Select(t => new Request(t.Item1.Item1, t.Item1.Item2, t.Item2, t.Item3, t.Item4, t.Item5));

        using var http = new HttpClient { BaseAddress = fixture.System.Gateway, Timeout = TimeSpan.FromSeconds(60) };
        var accepted = new ConcurrentBag<Guid>();
        var tried = 0;
        await requests.SampleAsync(async request =>
        {
            Interlocked.Increment(ref tried);
            using var message = new HttpRequestMessage(request.Method, request.Path);
            if (request.Body is not null)
            {
                message.Content = new StringContent(request.Body, Encoding.UTF8);
                message.Content.Headers.ContentType = request.ContentType is null ? null : new MediaTypeHeaderValue(request.ContentType);
            }
            if (request.Key is not null)
            {
                message.Headers.TryAddWithoutValidation("Authorization", $"Bearer {request.Key}");
            }
            if (request.IdempotencyKey is not null)
            {
                message.Headers.TryAddWithoutValidation("Idempotency-Key", request.IdempotencyKey);
            }
            using var response = await http.SendAsync(message);
            var answer = await response.Content.ReadAsStringAsync();

            Assert.True((int)response.StatusCode < 500, $"{request.Method} {request.Path} got {(int)response.StatusCode}: {answer}");
            Assert.DoesNotContain(marker, answer, StringComparison.Ordinal);
            if (response.StatusCode == HttpStatusCode.Accepted && request.Path.StartsWith("/api/", StringComparison.Ordinal)
                && JsonNode.Parse(answer)?["task_id"]?.GetValue<string>() is { } id)
            {
                accepted.Add(Guid.Parse(id));
            }
        }, iter: Requests, threads: 2, print: r => $"{r.Method} {r.Path} key={r.Key} idem={r.IdempotencyKey} body={r.Body?[..Math.Min(r.Body.Length, 300)]}");

        using var admin = fixture.System.CreateClient();
        foreach (var id in accepted.Distinct())
        {
            Assert.True(await admin.GetTaskAsync(id) is not null, $"accepted task {id} is not there");
            await admin.DeleteAsync($"/tasks/{id}"); // the shared async pool runs one task at a time
        }
        output.WriteLine($"fuzz: {tried} hostile requests, {accepted.Count} accepted tasks, 0 failures");
    }
}
