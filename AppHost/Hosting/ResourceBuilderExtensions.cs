using System.Globalization;

namespace Neutrino.AppHost.Hosting;

/// <summary>The Aspire-shaped verbs that wire resources together.</summary>
public static class ResourceBuilderExtensions
{
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> server, string name)
    {
        var database = new PostgresDatabaseResource(name, server.Resource);
        server.Resource.Add(database);
        return server.ApplicationBuilder.AddResource(database);
    }

    public static IResourceBuilder<NatsServerResource> WithJetStream(this IResourceBuilder<NatsServerResource> nats)
    {
        nats.Resource.JetStream = true;
        return nats;
    }

    /// <summary>Gives <c>ConnectionStrings__{name}</c> to the resource.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString> source)
        where T : ManagedResource
    {
        var target = source.Resource;
        builder.Resource.Environment.Add(() => [new($"ConnectionStrings__{target.Name}", target.ConnectionString)]);
        return builder;
    }

    /// <summary>Gives <c>services__{name}__http__{i}</c>, one per replica, for service discovery.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithEndpoints> source)
        where T : ManagedResource
    {
        var target = source.Resource;
        builder.Resource.Environment.Add(() => target.HttpUrls.Select((url, i) =>
            new KeyValuePair<string, string>($"services__{target.Name}__http__{i.ToString(CultureInfo.InvariantCulture)}", url)));
        return builder;
    }

    /// <summary>Gives <c>Neutrino__Embeddings__ModelsDirectory</c> to the resource.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<EmbeddingModelsResource> models)
        where T : ManagedResource
    {
        var directory = models.Resource.Directory;
        builder.Resource.Environment.Add(() => [new("Neutrino__Embeddings__ModelsDirectory", directory)]);
        return builder;
    }

    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<ManagedResource> dependency)
        where T : ManagedResource
    {
        builder.Resource.WaitsFor.Add(dependency.Resource);
        return builder;
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : ManagedResource
    {
        builder.Resource.Environment.Add(() => [new(name, value)]);
        return builder;
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IResourceBuilder<ParameterResource> parameter)
        where T : ManagedResource
    {
        builder.Resource.Environment.Add(() => [new(name, parameter.Resource.Value)]);
        return builder;
    }

    public static IResourceBuilder<ProjectResource> WithReplicas(this IResourceBuilder<ProjectResource> builder, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        builder.Resource.Replicas = replicas;
        return builder;
    }

    /// <summary>Serves on <paramref name="port"/> (0: any free port).</summary>
    public static IResourceBuilder<ProjectResource> WithHttpEndpoint(this IResourceBuilder<ProjectResource> builder, int port)
    {
        builder.Resource.RequestedPort = port;
        return builder;
    }
}
