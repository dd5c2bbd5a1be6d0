using Microsoft.Extensions.Options;
using Neutrino.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="NeutrinoClient"/> as a typed client of <c>IHttpClientFactory</c>.</summary>
public static class NeutrinoClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="NeutrinoClient"/> (transient, over a pooled handler) configured by <paramref name="configure"/>.
    /// The answer is the client's <see cref="IHttpClientBuilder"/>, for handlers, resilience or a timeout; keep any
    /// attempt timeout above <see cref="NeutrinoClientOptions.LongPollWait"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// services.AddNeutrinoClient(o =>
    /// {
    ///     o.BaseAddress = new Uri("http://localhost:8080/");
    ///     o.ApiKey = configuration["Neutrino:ApiKey"];
    /// });
    /// </code>
    /// </example>
    public static IHttpClientBuilder AddNeutrinoClient(this IServiceCollection services, Action<NeutrinoClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<NeutrinoClientOptions>().Configure(configure);
        return services
            .AddHttpClient(nameof(NeutrinoClient))
            .AddTypedClient((http, provider) => new NeutrinoClient(http, provider.GetRequiredService<IOptions<NeutrinoClientOptions>>().Value));
    }
}
