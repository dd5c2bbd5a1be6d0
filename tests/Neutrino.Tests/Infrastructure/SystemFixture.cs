namespace Neutrino.Tests.Infrastructure;

/// <summary>
/// One running system shared by the tests of the "system" collection. The async pool runs one
/// task at a time, so tests can hold it busy and observe queued tasks deterministically.
/// </summary>
public sealed class SystemFixture : IAsyncLifetime
{
    /// <summary>A second caller's key, accepted besides the bootstrap key.</summary>
    public const string SecondApiKey = "nk_second_caller_for_tests";

    public NeutrinoSystem System { get; private set; } = null!;

    public async Task InitializeAsync() =>
        System = await NeutrinoSystem.StartAsync(
            NeutrinoSystem.NewDataDirectory(),
            new Dictionary<string, string>(NeutrinoSystem.QuickFailureDetection)
            {
                ["Neutrino__Worker__Concurrency"] = "1",
                ["Neutrino__Auth__Keys__0"] = SecondApiKey,
            },
            "--Neutrino:FastPoolReplicas=2",
            "--Neutrino:AsyncPoolReplicas=1");

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
