using System.Net;
using System.Text;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>Nothing inside trusts a header without proof: the pools answer the gateway alone.</summary>
[Collection(SystemCollection.Name)]
public sealed class InternalAuthTests(SystemFixture fixture)
{
    [Theory]
    [InlineData("fastpool", "/api/echo", """{"args":{"x":1}}""")]
    [InlineData("gpupool", "/v1/embeddings", """{"input":"hello"}""")]
    [InlineData("gpupool", "/v1/collections", "")]
    public async Task A_direct_call_to_a_pool_is_401_even_with_a_forged_caller_header(string pool, string path, string body)
    {
        using var client = new HttpClient { BaseAddress = fixture.System.ServiceUrl(pool) };
        using var request = new HttpRequestMessage(body.Length > 0 ? HttpMethod.Post : HttpMethod.Get, path);
        if (body.Length > 0)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        request.Headers.Add("Neutrino-Caller", "someone-else");
        request.Headers.Add("Neutrino-Gateway-Proof", "a guess");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("only Neutrino's gateway", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_gateways_proof_a_pool_answers()
    {
        using var client = new HttpClient { BaseAddress = fixture.System.ServiceUrl("fastpool") };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/echo") { Content = new StringContent("""{"args":{"x":1}}""", Encoding.UTF8, "application/json") };
        request.Headers.Add("Neutrino-Gateway-Proof", fixture.System.InternalSecret);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_client_cannot_pass_its_own_proof_or_caller_through_the_gateway()
    {
        using var client = fixture.System.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/collections");
        request.Headers.Add("Neutrino-Caller", "someone-else");
        request.Headers.Add("Neutrino-Gateway-Proof", "a guess");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("someone-else", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
