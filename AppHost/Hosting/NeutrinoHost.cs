using System.Security.Cryptography;

namespace Neutrino.AppHost.Hosting;

/// <summary>
/// Where a run keeps what must survive it: the PostgreSQL cluster, the JetStream store, the models
/// and the secrets made on first start (<c>Neutrino:DataDir</c>, by default <c>.neutrino</c> in the
/// repository). It must be reachable by the <c>postgres</c> user, so not under <c>/root</c>.
/// </summary>
internal sealed class NeutrinoHost
{
    private NeutrinoHost(IDistributedApplicationBuilder builder)
    {
        Builder = builder;
        DataDirectory = builder.Configuration["Neutrino:DataDir"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".neutrino"));
        ModelsDirectory = builder.Configuration["Neutrino:ModelsDir"] is { Length: > 0 } models
            ? Path.GetFullPath(models)
            : Path.Combine(DataDirectory, "models");
        if (builder.ExecutionContext.IsRunMode)
        {
            Directory.CreateDirectory(DataDirectory);
        }
    }

    public IDistributedApplicationBuilder Builder { get; }

    public string DataDirectory { get; }

    public string ModelsDirectory { get; }

    public bool IsRunMode => Builder.ExecutionContext.IsRunMode;

    /// <summary>Whether the AppHost may install Debian packages and must run PostgreSQL as another user.</summary>
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>One per application, in its services: every extension that needs the data directory finds the same one.</summary>
    public static NeutrinoHost Of(IDistributedApplicationBuilder builder)
    {
        if (builder.Services.FirstOrDefault(s => s.ServiceType == typeof(NeutrinoHost))?.ImplementationInstance is NeutrinoHost existing)
        {
            return existing;
        }
        var host = new NeutrinoHost(builder);
        builder.Services.AddSingleton(host);
        return host;
    }

    /// <summary>
    /// A secret kept in <paramref name="file"/> of the data directory, made on first run: the same
    /// value every run, as the cluster and the JetStream store that were set up with it expect.
    /// </summary>
    public string ReadOrCreateSecret(string file, string prefix = "")
    {
        var path = Path.Combine(DataDirectory, file);
        if (!File.Exists(path))
        {
            SecretFile.Write(path, prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), overwrite: false);
        }
        return File.ReadAllText(path).Trim();
    }
}
