using System.Text.Json;
using System.Text.Json.Serialization;

namespace Neutrino.Client;

/// <summary>The client's own messages, snake_case like every body of the API; user arguments and results go through the client's options instead.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SubmitRequest))]
[JsonSerializable(typeof(TaskAccepted))]
[JsonSerializable(typeof(SyncTaskAnswer))]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(TaskInfo))]
[JsonSerializable(typeof(TaskPage))]
[JsonSerializable(typeof(TasksDeleted))]
[JsonSerializable(typeof(IReadOnlyList<CatalogEntry>))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(ApiKeyInfo))]
[JsonSerializable(typeof(IReadOnlyList<ApiKeyInfo>))]
[JsonSerializable(typeof(TenantQuota))]
[JsonSerializable(typeof(TenantInfo))]
[JsonSerializable(typeof(IReadOnlyList<TenantInfo>))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
