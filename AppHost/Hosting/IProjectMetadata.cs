namespace Neutrino.AppHost.Hosting;

/// <summary>A service project the AppHost runs: its folder under the repository and its assembly name.</summary>
public interface IProjectMetadata
{
    string Directory { get; }

    string AssemblyName { get; }
}
