using System.Net;
using System.Text;

namespace Neutrino.Client.Tests.Infrastructure;

/// <summary>A request as the handler received it, copied before the client disposes it.</summary>
internal sealed record SentRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? Body, string? ContentType)
{
    public string PathAndQuery => Uri.PathAndQuery;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>Answers requests in order from a script and records each one; a request past the script fails the test.</summary>
internal sealed class StubHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new();
    private readonly List<SentRequest> _sent = [];

    public IReadOnlyList<SentRequest> Sent => _sent;

    public StubHandler Then(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        _script.Enqueue(answer);
        return this;
    }

    public StubHandler ThenJson(HttpStatusCode status, string json, params (string Name, string Value)[] headers) =>
        Then(_ => Answer(status, json, "application/json", headers));

    public StubHandler ThenProblem(HttpStatusCode status, string json, params (string Name, string Value)[] headers) =>
        Then(_ => Answer(status, json, "application/problem+json", headers));

    public static HttpResponseMessage Answer(HttpStatusCode status, string body, string mediaType, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }
        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        _sent.Add(new SentRequest(request.Method, request.RequestUri!, headers, body, request.Content?.Headers.ContentType?.MediaType));
        Assert.True(_script.TryDequeue(out var answer), $"Unexpected request {request.Method} {request.RequestUri}: the script has no answer left.");
        return answer(request);
    }
}
