using Microsoft.Extensions.DependencyInjection;

namespace Neutrino.Core.Messaging;

public static class JetStreamExtensions
{
    /// <summary>The <see cref="JetStreamOptions"/> every service that creates the topology reads (the gateway and the pools).</summary>
    public static IServiceCollection AddJetStreamOptions(this IServiceCollection services)
    {
        services.AddOptions<JetStreamOptions>().BindConfiguration(JetStreamOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }
}
