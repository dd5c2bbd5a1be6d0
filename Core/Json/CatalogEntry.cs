using System.Text.Json;
using Neutrino.Core.Tasks;

namespace Neutrino.Core.Json;

/// <summary>
/// A task as the catalog bucket stores it and <c>GET /api</c> lists it, with the JSON Schema of its
/// args when its handler's args type gives one (the gateway's OpenAPI document is made from it).
/// </summary>
public sealed record CatalogEntry(string Name, string Mode, string Pool, long TimeoutMs, int MaxAttempts, JsonElement? ArgsSchema = null)
{
    public static CatalogEntry From(TaskDefinition definition) => new(
        definition.Name,
        WireNames.Of(definition.Mode),
        definition.Pool,
        (long)definition.Timeout.TotalMilliseconds,
        definition.MaxAttempts);

    /// <summary>Back to a definition; null when the entry is not one this version understands.</summary>
    public TaskDefinition? ToDefinition()
    {
        if (!WireNames.TryParse(Mode, out Tasks.TaskMode mode) || !TaskDefinition.IsValidName(Name)
            || TimeoutMs <= 0 || TimeoutMs > TaskDefinition.MaxTimeout.TotalMilliseconds || MaxAttempts < 1 || MaxAttempts > TaskDefinition.MaxAttemptsLimit)
        {
            return null;
        }
        return new TaskDefinition(Name, mode, TimeSpan.FromMilliseconds(TimeoutMs), mode == Tasks.TaskMode.Sync ? 1 : MaxAttempts);
    }
}
