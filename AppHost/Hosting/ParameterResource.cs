namespace Neutrino.AppHost.Hosting;

/// <summary>A value given to services through their environment, such as the API key.</summary>
public sealed class ParameterResource(string name, string value, bool secret) : IResource
{
    public string Name { get; } = name;

    public string Value { get; } = value;

    public bool Secret { get; } = secret;
}
