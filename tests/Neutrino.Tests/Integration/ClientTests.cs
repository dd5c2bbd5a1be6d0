using Neutrino.Client;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>The README's walk-through, driven by the .NET client against the running system.</summary>
[Collection(SystemCollection.Name)]
public sealed class ClientTests(SystemFixture fixture) : IDisposable
{
    private readonly HttpClient _http = new();
    private NeutrinoClient Client => new(_http, new NeutrinoClientOptions { BaseAddress = fixture.System.Gateway, ApiKey = fixture.System.ApiKey });

    public void Dispose() => _http.Dispose();

    private sealed record Sleep(long Ms);

    private sealed record Slept(long SleptMs);

    private sealed record Fail(int Times);

    private sealed record Echo(string Hello);

    [Fact]
    public async Task The_walk_through_runs_through_the_client()
    {
        var neutrino = Client;

        var catalog = await neutrino.CatalogAsync();
        Assert.Contains(catalog, t => t.Name == "sleep");

        var echo = await neutrino.RunAsync<Echo, Echo>("echo", new Echo("world"));
        Assert.Equal("world", echo.Result!.Hello);

        var sleep = await neutrino.SubmitAsync("sleep", new Sleep(200), new SubmitOptions { IdempotencyKey = IdempotencyKey.New() });
        var done = await sleep.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal((TaskState.Completed, 200L), (done.Status, done.GetResult<Slept>()!.SleptMs));

        var longOne = await neutrino.SubmitAsync("sleep", new Sleep(600_000));
        await longOne.CancelAsync();
        Assert.Equal(TaskState.Cancelled, (await longOne.WaitAsync(TimeSpan.FromSeconds(60))).Status);

        var failing = await neutrino.SubmitAsync("fail", new Fail(-1));
        Assert.Equal(TaskState.Failed, (await failing.WaitAsync(TimeSpan.FromSeconds(60))).Status);
        var retried = await failing.RetryAsync();
        Assert.Equal(TaskState.Failed, (await retried.WaitAsync(TimeSpan.FromSeconds(60))).Status);

        var page = await neutrino.ListAsync(new TaskQuery { Name = "sleep", Limit = 1 });
        Assert.Single(page.Items);
        Assert.NotNull(page.NextCursor);

        await Assert.ThrowsAsync<TaskNotFoundException>(() => neutrino.GetAsync(Guid.NewGuid().ToString()));
        var refused = await Assert.ThrowsAsync<ValidationException>(() => neutrino.SubmitAsync("sleep", new { X = "\u0000" }));
        Assert.Contains("cannot be stored", refused.Detail, StringComparison.Ordinal);
    }
}
