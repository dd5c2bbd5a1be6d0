using System.Text.Json.Serialization;

namespace Neutrino.Client;

/// <summary>What an API key may do.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ApiKeyRole>))]
public enum ApiKeyRole
{
    /// <summary>Sees and manages every tenant's tasks, and the keys and tenants themselves.</summary>
    [JsonStringEnumMemberName("admin")] Admin,

    /// <summary>Submits, sees, cancels and retries its own tenant's tasks only.</summary>
    [JsonStringEnumMemberName("member")] Member,
}
