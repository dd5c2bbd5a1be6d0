using Neutrino.Embeddings;
using Neutrino.Embeddings.Models;

namespace Neutrino.ModelProvisioner;

internal static partial class Provisioning
{
    /// <param name="modelsDirectory">The gpu pool's <c>Neutrino:Embeddings:ModelsDirectory</c>; unset, the same default as there.</param>
    public static async Task RunAsync(string? modelsDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        modelsDirectory = string.IsNullOrWhiteSpace(modelsDirectory) ? new EmbeddingOptions().ModelsDirectory : modelsDirectory;
        var folder = await DefaultModel.EnsureAsync(modelsDirectory, line => LogStep(logger, line), cancellationToken);
        LogReady(logger, DefaultModel.Name, folder);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Step}")]
    private static partial void LogStep(ILogger logger, string step);

    [LoggerMessage(Level = LogLevel.Information, Message = "The default model {Model} is in {Folder}")]
    private static partial void LogReady(ILogger logger, string model, string folder);
}
