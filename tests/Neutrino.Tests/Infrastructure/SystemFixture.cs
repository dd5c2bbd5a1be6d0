namespace Neutrino.Tests.Infrastructure;

/// <summary>
/// One running system shared by the tests of the "system" collection. The async pool runs one
/// task at a time, so tests can hold it busy and observe queued tasks deterministically.
/// </summary>
public sealed class SystemFixture : IAsyncLifetime
{
    public NeutrinoSystem System { get; private set; } = null!;

    /// <summary>A member key of a second tenant, "second", made with the admin API.</summary>
    public string SecondApiKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        System = await NeutrinoSystem.StartAsync(
            NeutrinoSystem.NewDataDirectory(),
            new Dictionary<string, string>(NeutrinoSystem.QuickFailureDetection)
            {
                ["Neutrino__Worker__Concurrency"] = "1",
            },
            "--Neutrino:FastPoolReplicas=2",
            "--Neutrino:AsyncPoolReplicas=1");
        SecondApiKey = await System.CreateKeyAsync("second", "second", "member");
    }

    public async Task DisposeAsync()
    {
        await System.DisposeAsync();
        Directory.Delete(System.DataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<SystemFixture>
{
    public const string Name = "system";
}
