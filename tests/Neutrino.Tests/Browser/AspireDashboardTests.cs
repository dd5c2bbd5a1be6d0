using Microsoft.Playwright;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Browser;

/// <summary>
/// The Aspire dashboard, in Debian's chromium driven by Playwright: an operator logs in with the
/// token the AppHost prints and finds a queued task's trace, one trace across the gateway and the
/// async pool.
/// </summary>
public sealed class AspireDashboardTests
{
    private static readonly TimeSpan TraceTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_queued_task_is_one_trace_across_the_gateway_and_the_async_pool_in_the_Aspire_dashboard()
    {
        var dataDirectory = NeutrinoSystem.NewDataDirectory();
        try
        {
            await using var system = await NeutrinoSystem.StartAsync(
                dataDirectory, null, withAspireDashboard: true, "--Neutrino:FastPoolReplicas=1", "--Neutrino:AsyncPoolReplicas=1");
            using var client = system.CreateClient();
            var id = await client.SubmitAsync("sleep", """{"args":{"ms":200}}""");
            var task = await client.WaitForTerminalAsync(id);
            Assert.Equal("completed", task.Status());
            var traceId = task["trace_id"]!.GetValue<string>();
            Assert.Matches("^[0-9a-f]{32}$", traceId);

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(Chromium.LaunchOptions());
            var page = await browser.NewPageAsync();
            await page.GotoAsync(system.AspireDashboardLoginUrl!.ToString());
            await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));

            // Spans arrive by OTLP within a second or two of being recorded; the page is read again until they are there.
            var trace = new Uri(system.AspireDashboardLoginUrl, $"/traces/detail/{traceId}").ToString();
            var deadline = DateTime.UtcNow + TraceTimeout;
            string text;
            do
            {
                await page.GotoAsync(trace);
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                text = await page.InnerTextAsync("body");
            }
            while (!(text.Contains("gateway", StringComparison.Ordinal) && text.Contains("asyncpool", StringComparison.Ordinal) && text.Contains("run sleep", StringComparison.Ordinal))
                   && DateTime.UtcNow < deadline);

            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dataDirectory, "..", $"aspire-trace-{traceId}.png"), FullPage = true });
            Assert.Contains("gateway", text, StringComparison.Ordinal);
            Assert.Contains("asyncpool", text, StringComparison.Ordinal);
            Assert.Contains("run sleep", text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
