namespace Neutrino.AppHost.Hosting;

internal static class SecretExtensions
{
    /// <summary>
    /// A secret parameter. In the manifest it is generated at deployment (azd and aspirate make one).
    /// Run here it is <c>Parameters:{name}</c> when configured, else <paramref name="configurationKey"/>,
    /// else a value made on first run and kept in <paramref name="file"/> of the data directory, so a
    /// cluster or store set up with it keeps working.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddSecret(
        this IDistributedApplicationBuilder builder, string name, string file, string? configurationKey = null, string prefix = "")
    {
        var host = NeutrinoHost.Of(builder);
        var parameterKey = $"Parameters:{name}";
        if (host.IsRunMode && string.IsNullOrWhiteSpace(builder.Configuration[parameterKey]))
        {
            builder.Configuration[parameterKey] = configurationKey is not null && builder.Configuration[configurationKey] is { Length: > 0 } configured
                ? configured
                : host.ReadOrCreateSecret(file, prefix);
        }
        // Letters and digits only: the value goes into URLs and connection strings unescaped by some clients.
        return builder.AddParameter(name, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);
    }
}
