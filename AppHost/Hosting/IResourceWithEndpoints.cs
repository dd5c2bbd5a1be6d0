namespace Neutrino.AppHost.Hosting;

/// <summary>A resource other resources reach through <c>services__{Name}__http__{i}</c>, one URL per replica.</summary>
public interface IResourceWithEndpoints : IResource
{
    IReadOnlyList<string> HttpUrls { get; }
}
