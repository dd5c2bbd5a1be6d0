using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace Neutrino.AppHost.Hosting;

/// <summary>Declares the resources of the application, as Aspire's builder does.</summary>
public sealed class DistributedApplicationBuilder
{
    private readonly List<IResource> _resources = [];

    internal DistributedApplicationBuilder(string[] args)
    {
        Configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        var dataDirectory = Configuration["Neutrino:DataDir"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(BuildInfo.RepositoryRoot, ".neutrino");
        var environment = Configuration["DOTNET_ENVIRONMENT"] ?? Configuration["ASPNETCORE_ENVIRONMENT"] ?? "Development";
        Host = new HostContext(Configuration, dataDirectory, environment);
    }

    public IConfiguration Configuration { get; }

    public HostContext Host { get; }

    public IResourceBuilder<T> AddResource<T>(T resource)
        where T : IResource
    {
        if (_resources.Any(r => r.Name == resource.Name))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' is already declared.");
        }
        _resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    public IResourceBuilder<PostgresServerResource> AddPostgres(string name) => AddResource(new PostgresServerResource(name));

    public IResourceBuilder<NatsServerResource> AddNats(string name) => AddResource(new NatsServerResource(name));

    /// <summary>
    /// The embedding models directory (<c>Neutrino:ModelsDir</c>, by default <c>models</c> in the data
    /// directory), with the default model provisioned in it.
    /// </summary>
    public IResourceBuilder<EmbeddingModelsResource> AddEmbeddingModels(string name) =>
        AddResource(new EmbeddingModelsResource(name, Configuration["Neutrino:ModelsDir"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(Host.DataDirectory, "models")));

    public IResourceBuilder<ProjectResource> AddProject<TProject>(string name)
        where TProject : IProjectMetadata, new() => AddResource(new ProjectResource(name, new TProject()));

    /// <summary>
    /// The API key services accept: <c>Neutrino:Auth:BootstrapKey</c> when configured, else a key made
    /// on first run and kept in the data directory.
    /// </summary>
    public IResourceBuilder<ParameterResource> AddApiKey(string name)
    {
        var key = Configuration["Neutrino:Auth:BootstrapKey"];
        if (string.IsNullOrWhiteSpace(key))
        {
            var file = Path.Combine(Host.DataDirectory, "api-key");
            if (!File.Exists(file))
            {
                File.WriteAllText(file, "nk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            key = File.ReadAllText(file).Trim();
        }
        return AddResource(new ParameterResource(name, key, secret: true));
    }

    public DistributedApplication Build() => new(Host, [.. _resources]);
}
