using System.Reflection;

namespace Neutrino.AppHost.Hosting;

/// <summary>Where the repository is and how it was built, recorded into the AppHost when it was compiled.</summary>
public static class BuildInfo
{
    public static string RepositoryRoot { get; } = Metadata("Neutrino.RepositoryRoot");

    public static string Configuration { get; } = Metadata("Neutrino.Configuration");

    public static string TargetFramework { get; } = Metadata("Neutrino.TargetFramework");

    /// <summary>The built entry assembly of a project: <c>{root}/{dir}/bin/{Configuration}/{tfm}/{assembly}.dll</c>.</summary>
    public static string OutputAssembly(string directory, string assemblyName) =>
        Path.Combine(RepositoryRoot, directory, "bin", Configuration, TargetFramework, assemblyName + ".dll");

    private static string Metadata(string key) =>
        typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"The AppHost was built without the '{key}' metadata.");
}
