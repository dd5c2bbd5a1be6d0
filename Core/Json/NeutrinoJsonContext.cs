using System.Text.Json.Serialization;

namespace Neutrino.Core.Json;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(TaskView))]
[JsonSerializable(typeof(TaskPage))]
[JsonSerializable(typeof(TasksDeleted))]
[JsonSerializable(typeof(TaskAccepted))]
[JsonSerializable(typeof(TaskEventList))]
[JsonSerializable(typeof(SyncTaskResult))]
[JsonSerializable(typeof(CatalogEntry))]
[JsonSerializable(typeof(IReadOnlyList<CatalogEntry>))]
public sealed partial class NeutrinoJsonContext : JsonSerializerContext;
