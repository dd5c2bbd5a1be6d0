using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Neutrino.Core.Json;

namespace Neutrino.Core.Http;

public static class JsonExtensions
{
    /// <summary>The API's JSON: snake_case names, source-generated metadata for Neutrino's DTOs.</summary>
    public static IServiceCollection AddNeutrinoJson(this IServiceCollection services) =>
        services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, NeutrinoJsonContext.Default);
        });
}
