using System.Text.Json;
using System.Text.Json.Serialization;

namespace Neutrino.Client;

/// <summary>A task the gateway can run, as <see cref="NeutrinoClient.CatalogAsync"/> lists it.</summary>
/// <param name="Name">The name to submit it by.</param>
/// <param name="Mode">How it runs.</param>
/// <param name="Pool">The pool that runs it.</param>
/// <param name="TimeoutMs">How long one attempt may run, in milliseconds.</param>
/// <param name="MaxAttempts">Attempts allowed before it fails.</param>
/// <param name="ArgsSchema">The JSON Schema of its arguments, when the gateway publishes one.</param>
public sealed record CatalogEntry(string Name, TaskMode Mode, string Pool, long TimeoutMs, int MaxAttempts, JsonElement? ArgsSchema = null)
{
    /// <summary><see cref="TimeoutMs"/> as a <see cref="TimeSpan"/>.</summary>
    [JsonIgnore]
    public TimeSpan Timeout => TimeSpan.FromMilliseconds(TimeoutMs);
}
