using System.Text.Json;

namespace Neutrino.Core.Workers;

/// <summary>How task args and results are (de)serialised: snake_case, nullability and required members enforced.</summary>
public static class TaskJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        // Set, not left to the first serialisation: the catalog's args schemas are exported from these options.
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };
}
