using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Browser;

/// <summary>
/// Neutrino's dashboard in Debian's chromium, driven by Playwright against the running system: log in,
/// watch tasks arrive and move without reloading, filter and search, open a task's detail and history,
/// cancel and retry from the page, look at queues, workers and dead letters, and see that a member key
/// sees its own tenant only. Screenshots of the main pages go to <see cref="ScreenshotDirectory"/>.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed partial class DashboardTests(SystemFixture fixture) : IAsyncLifetime
{
    private static readonly float Timeout = 60_000;

    /// <summary><c>NEUTRINO_SCREENSHOTS</c>, or a folder beside the test binaries.</summary>
    public static string ScreenshotDirectory { get; } =
        Environment.GetEnvironmentVariable("NEUTRINO_SCREENSHOTS") ?? Path.Combine(AppContext.BaseDirectory, "screenshots");

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private readonly HttpClient _api = fixture.System.CreateClient();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(Chromium.LaunchOptions());
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        _api.Dispose();
    }

    private async Task<IPage> LoggedInAsync(string key)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.System.Dashboard, "/tasks").ToString());
        // Not logged in: the login page.
        await page.WaitForURLAsync(new Regex("/login"));
        await page.FillAsync("#key", key);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(new Regex("/tasks$"));
        return page;
    }

    /// <summary>Marks the document: if the page reloads, the mark is gone.</summary>
    private static async Task MarkAsync(IPage page) => await page.EvaluateAsync("() => { window.__neutrinoMark = 1; }");

    private static async Task AssertNotReloadedAsync(IPage page) =>
        Assert.Equal(1, await page.EvaluateAsync<int>("() => window.__neutrinoMark ?? 0"));

    private static async Task ShotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}.png"), FullPage = true });

    /// <summary>Waits until the page's circuit is connected: before that, its buttons do nothing.</summary>
    private static async Task LiveAsync(IPage page) => await page.WaitForSelectorAsync("[data-live=on]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });

    [Fact]
    public async Task A_new_task_appears_live_and_its_progress_moves_without_a_reload()
    {
        var page = await LoggedInAsync(fixture.System.ApiKey);
        await LiveAsync(page);
        await MarkAsync(page);

        var id = await _api.SubmitAsync("sleep", """{"args":{"ms":20000}}""");
        await page.WaitForSelectorAsync($"tr[data-task='{id}']");
        await AssertNotReloadedAsync(page);
        await ShotAsync(page, "tasks");

        await page.ClickAsync($"a[href='/tasks/{id}']");
        await page.WaitForURLAsync(new Regex($"/tasks/{id}$"));
        await LiveAsync(page);
        await MarkAsync(page);
        var first = await ProgressAsync(page, p => p > 0);
        var later = await ProgressAsync(page, p => p > first);
        Assert.True(later > first);
        await AssertNotReloadedAsync(page);
        await page.WaitForSelectorAsync("[data-status]:has-text('completed')", new PageWaitForSelectorOptions { Timeout = 90_000 });
        await ShotAsync(page, "task-detail");
        var history = await page.Locator("ol.timeline li").AllInnerTextsAsync();
        Assert.Equal(["queued", "running", "completed"], history.Select(h => h.Split(' ', '\n')[0].Trim()));
    }

    [Fact]
    public async Task Filters_and_search_are_in_the_url_and_find_by_text_and_by_id_prefix()
    {
        var token = $"walrus{Guid.NewGuid():N}"[..20];
        var (_, found, _) = await _api.PostAsync("echo", "{\"args\":{\"text\":\"" + token + "\"}}");
        var foundId = found!["task_id"]!.GetValue<string>();
        var (_, other, _) = await _api.PostAsync("echo", """{"args":{"text":"something else"}}""");
        var otherId = other!["task_id"]!.GetValue<string>();
        var page = await LoggedInAsync(fixture.System.ApiKey);
        // Until the circuit is up the page is its prerendered copy, which the interactive render replaces:
        // text typed into it before then is gone.
        await LiveAsync(page);

        await page.FillAsync("input[name=q]", token);
        await page.SelectOptionAsync("select[name=mode]", "sync");
        await page.ClickAsync("form.filters button[type=submit]");
        // The form's GET navigates: wait for the new page, filtered, before reading its rows.
        await page.WaitForFunctionAsync($"() => location.search.includes('q={token}') && location.search.includes('mode=sync')");
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        await page.WaitForSelectorAsync($"tr[data-task='{foundId}']");
        Assert.Contains($"q={token}", page.Url, StringComparison.Ordinal);
        await page.WaitForFunctionAsync("() => document.querySelectorAll('tbody tr').length === 1");
        Assert.Equal(0, await page.Locator($"tr[data-task='{otherId}']").CountAsync());
        await ShotAsync(page, "search");

        // An id prefix, and a filter that matches nothing.
        await page.GotoAsync(new Uri(fixture.System.Dashboard, $"/tasks?q={otherId[..13]}").ToString());
        await page.WaitForSelectorAsync($"tr[data-task='{otherId}']");
        await page.GotoAsync(new Uri(fixture.System.Dashboard, $"/tasks?q={token}&status=failed").ToString());
        await page.WaitForSelectorAsync("text=No tasks match.");
        // A bad filter is said, not a crash.
        await page.GotoAsync(new Uri(fixture.System.Dashboard, "/tasks?status=exploded").ToString());
        await page.WaitForSelectorAsync("text=Unknown state 'exploded'.");

        // Who submitted it, then the finished tasks the filter matches deleted, confirmed first.
        await page.GotoAsync(new Uri(fixture.System.Dashboard, $"/tasks/{foundId}").ToString());
        await page.WaitForSelectorAsync("[data-submitted-by]:has-text('key ')");
        await page.GotoAsync(new Uri(fixture.System.Dashboard, $"/tasks?q={token}&status=completed").ToString());
        await LiveAsync(page);
        await page.ClickAsync("button:has-text('Delete all matching…')");
        await page.ClickAsync("button:has-text('Delete them')");
        await page.WaitForSelectorAsync("text=Deleted 1 completed tasks.");
        await page.WaitForSelectorAsync("text=No tasks match.");
        Assert.Null(await _api.GetTaskAsync(Guid.Parse(foundId)));
        Assert.NotNull(await _api.GetTaskAsync(Guid.Parse(otherId)));
    }

    [Fact]
    public async Task A_running_task_is_cancelled_and_a_failed_one_retried_from_the_page_each_recorded_with_who_did_it()
    {
        var running = await _api.SubmitAsync("sleep", """{"args":{"ms":60000}}""");
        await _api.WaitForAsync(running, s => s == "running");
        var page = await LoggedInAsync(fixture.System.ApiKey);
        await page.GotoAsync(new Uri(fixture.System.Dashboard, $"/tasks/{running}").ToString());
        await LiveAsync(page);
        await page.ClickAsync("button:has-text('Cancel…')");
        await page.ClickAsync("button:has-text('Cancel the task')");
        await page.WaitForSelectorAsync("[data-status]:has-text('cancelled')");
        Assert.Equal("cancelled", (await _api.GetTaskAsync(running))!.Status());
        // Asked while it ran: the request is in its history, with who asked.
        await page.WaitForSelectorAsync("li[data-event=cancel_requested]:has-text('by key')");

        var failing = await _api.SubmitAsync("fail", """{"args":{"times":9}}""");
        Assert.Equal("failed", (await _api.WaitForTerminalAsync(failing)).Status());
        await page.GotoAsync(new Uri(fixture.System.Dashboard, $"/tasks/{failing}").ToString());
        await LiveAsync(page);
        await page.ClickAsync("button:has-text('Retry…')");
        await page.ClickAsync("button:has-text('Retry the task')");
        await page.WaitForSelectorAsync("li[data-event=queued]:has-text('retried on request by key')");
        var events = await History.EventsAsync(fixture.System.TasksConnectionString, failing);
        Assert.Contains("queued:0", events);
    }

    [Fact]
    public async Task Queues_workers_and_dead_letters_show_what_JetStream_and_the_liveness_table_hold()
    {
        var dead = await _api.SubmitAsync("fail", """{"args":{"times":9}}""");
        var collection = $"shelf-{Guid.NewGuid():N}"[..14];
        var stored = await _api.SubmitAsync("embed_documents", "{\"args\":{\"collection\":\"" + collection + "\",\"documents\":[{\"id\":\"a\",\"text\":\"Leave is 25 days a year.\"},{\"id\":\"b\",\"text\":\"Expenses are paid monthly.\"}]}}");
        Assert.Equal("failed", (await _api.WaitForTerminalAsync(dead)).Status());
        Assert.Equal("completed", (await _api.WaitForTerminalAsync(stored, TimeSpan.FromMinutes(2))).Status());
        var page = await LoggedInAsync(fixture.System.ApiKey);

        await page.ClickAsync("nav >> text=Queues");
        await page.WaitForSelectorAsync("tr[data-queue='async-normal']");
        await page.WaitForSelectorAsync("svg[data-depth='async'] polyline", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        await ShotAsync(page, "queues");

        await page.ClickAsync("nav >> text=Workers");
        await page.WaitForSelectorAsync("tr[data-worker]:has-text('async')");
        Assert.True(await page.Locator("tr[data-worker]").CountAsync() >= 2);
        await ShotAsync(page, "workers");

        await page.ClickAsync("nav >> text=Embeddings");
        await page.WaitForSelectorAsync("tr[data-model='use-lite']");
        // The documents were embedded within the last minute: the batching numbers show them.
        await page.WaitForSelectorAsync("tr[data-activity='use-lite']");
        // Two documents, a chunk each.
        var row = await page.WaitForSelectorAsync($"tr[data-collection='default/{collection}']");
        Assert.Contains("\t2\t2\t", await row!.InnerTextAsync(), StringComparison.Ordinal);
        await ShotAsync(page, "embeddings");

        await page.ClickAsync("nav >> text=Dead letters");
        await page.WaitForSelectorAsync($"tr[data-dead-letter]:has(a[href='/tasks/{dead}'])");
        await ShotAsync(page, "dead-letters");
        var letter = page.Locator($"tr[data-dead-letter]:has(a[href='/tasks/{dead}'])");
        await letter.Locator("button:has-text('Requeue…')").ClickAsync();
        await letter.Locator("button:text-is('Requeue')").ClickAsync();
        await page.WaitForSelectorAsync("text=its task is queued again");
        Assert.Equal(0, await page.Locator($"tr[data-dead-letter]:has(a[href='/tasks/{dead}'])").CountAsync());
        var events = await History.EventsAsync(fixture.System.TasksConnectionString, dead);
        Assert.Contains("queued:0", events);
    }

    [Fact]
    public async Task A_member_key_sees_its_own_tenants_tasks_only()
    {
        var admins = await _api.SubmitAsync("sleep", """{"args":{"ms":10}}""");
        using var second = fixture.System.CreateClient(fixture.SecondApiKey);
        var own = await second.SubmitAsync("sleep", """{"args":{"ms":10}}""");
        await second.WaitForTerminalAsync(own);
        var page = await LoggedInAsync(fixture.SecondApiKey);

        await page.WaitForSelectorAsync($"tr[data-task='{own}']");
        Assert.Equal(0, await page.Locator($"tr[data-task='{admins}']").CountAsync());
        // Not even by its address, nor by asking for the other tenant in the URL.
        await page.GotoAsync(new Uri(fixture.System.Dashboard, $"/tasks/{admins}").ToString());
        await page.WaitForSelectorAsync("text=Task not found");
        await page.GotoAsync(new Uri(fixture.System.Dashboard, "/tasks?tenant=default").ToString());
        await page.WaitForSelectorAsync($"tr[data-task='{own}']");
        Assert.Equal(0, await page.Locator($"tr[data-task='{admins}']").CountAsync());
        await page.GotoAsync(new Uri(fixture.System.Dashboard, "/queues").ToString());
        await page.WaitForSelectorAsync("text=need an admin key");
    }

    private static Task<double> ProgressAsync(IPage page, Func<double, bool> done) =>
        Eventually.ReadAsync(
            async () => double.Parse(
                (await page.Locator("[data-progress]").First.InnerTextAsync(new LocatorInnerTextOptions { Timeout = 60_000 })).TrimEnd('%', ' '),
                System.Globalization.CultureInfo.InvariantCulture),
            done, TimeSpan.FromSeconds(60), "the task's progress to move");
}
