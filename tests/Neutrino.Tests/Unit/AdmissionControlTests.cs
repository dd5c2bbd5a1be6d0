using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Neutrino.Gateway.Admission;
using Neutrino.Gateway.Extensions;

namespace Neutrino.Tests.Unit;

public sealed class AdmissionControlTests
{
    private static readonly IServiceProvider Services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();

    [Fact]
    public async Task A_key_over_its_rate_gets_429_with_retry_after_while_other_keys_go_on()
    {
        using var admission = new AdmissionControl(Options.Create(new GatewayOptions { RequestsPerSecondPerKey = 1, BurstPerKey = 2 }));

        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await RunAsync(admission, "nk_a", _ => Task.CompletedTask)).Response.StatusCode);
        }
        var other = await RunAsync(admission, "nk_b", _ => Task.CompletedTask);
        var limited = await RunAsync(admission, "nk_a", _ => Task.CompletedTask);

        Assert.Equal([200, 200, 429], statuses);
        Assert.Equal(200, other.Response.StatusCode);
        Assert.Equal("1", limited.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task Beyond_the_in_flight_bound_the_gateway_answers_503_with_retry_after()
    {
        using var admission = new AdmissionControl(Options.Create(new GatewayOptions { MaxInFlight = 1, RequestsPerSecondPerKey = 0 }));
        var release = new TaskCompletionSource();

        var first = RunAsync(admission, "nk_a", _ => release.Task);
        var second = await RunAsync(admission, "nk_a", _ => Task.CompletedTask);
        release.SetResult();
        var third = await RunAsync(admission, "nk_a", _ => Task.CompletedTask);

        Assert.Equal(503, second.Response.StatusCode);
        Assert.Equal("1", second.Response.Headers.RetryAfter.ToString());
        Assert.Equal(200, (await first).Response.StatusCode);
        Assert.Equal(200, third.Response.StatusCode);
    }

    private static async Task<HttpContext> RunAsync(AdmissionControl admission, string key, RequestDelegate next)
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        context.Response.Body = new MemoryStream();
        await admission.InvokeAsync(context, key, next);
        return context;
    }
}
