using System.Globalization;

namespace Neutrino.AppHost.Hosting;

internal static class ServiceExtensions
{
    /// <summary>
    /// One of Neutrino's projects, given only the environment contract: <c>ConnectionStrings__{name}</c>
    /// and <c>services__{service}__http__{i}</c> for what it references (Aspire would add each
    /// connection's parts and endpoints under other names too), and Aspire's <c>OTEL_*</c>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name)
            .WithBuiltExecutable()
            .WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ConnectionString | ReferenceEnvironmentInjectionFlags.ServiceDiscovery)
            .WithTraceSampling()
            .WithMetricExportInterval();

    /// <summary>
    /// Run here, the project's own executable from its build, as a deployment runs it, instead of
    /// Aspire's default of <c>dotnet run --no-build</c>: that stays resident as the service's parent
    /// (about 140 MB each, for the whole run) and evaluates the project with MSBuild every time it starts
    /// one, 2 s of CPU per instance when eight start at once on two cores. <c>dotnet run --project
    /// AppHost</c> has built every project before the AppHost starts. A project not built where the
    /// solution builds (say, by an IDE of its own) keeps Aspire's way.
    /// </summary>
    private static IResourceBuilder<ProjectResource> WithBuiltExecutable(this IResourceBuilder<ProjectResource> builder)
    {
        if (!builder.ApplicationBuilder.ExecutionContext.IsRunMode
            || typeof(ServiceExtensions).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), inherit: false)
                .OfType<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "Neutrino.OutputPath")?.Value is not { Length: > 0 } outputPath)
        {
            return builder;
        }
        var projectDirectory = Path.GetDirectoryName(builder.Resource.GetProjectMetadata().ProjectPath)!;
        var output = Path.Combine(projectDirectory, outputPath.Replace('\\', '/'));
        // The project's own runtimeconfig names its executable; its dependencies bring none.
        if ((Directory.Exists(output) ? Directory.GetFiles(output, "*.runtimeconfig.json") : []) is not [var runtimeConfig]
            || runtimeConfig[..^".runtimeconfig.json".Length] is var executable && !File.Exists(executable))
        {
            return builder;
        }
        return builder.WithAnnotation(new ExecutableAnnotation { Command = executable, WorkingDirectory = projectDirectory }, ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>
    /// Which requests are traced, passed to every service (ServiceDefaults' <c>TraceSampling</c> decides there):
    /// <c>Neutrino:TraceSampling</c>, the share of requests traced, 0 to 1 (1, the default: every one), and
    /// <c>Neutrino:TraceRateLimit</c>, at most this many new traces a second in each service instance
    /// (<see cref="DefaultTraceRateLimit"/> by default, 0 for no bound). A developer's requests are all
    /// traced, as Aspire does; under load, recording and shipping every span to the Aspire dashboard
    /// would cost more than the work (a quarter of the throughput on two cores), and the dashboard keeps
    /// only its last 10,000 traces anyway. Everything a traced request causes is traced with it.
    /// </summary>
    private static IResourceBuilder<ProjectResource> WithTraceSampling(this IResourceBuilder<ProjectResource> builder)
    {
        var configuration = builder.ApplicationBuilder.Configuration;
        var ratio = configuration.GetValue("Neutrino:TraceSampling", 1.0);
        if (ratio is < 0 or > 1)
        {
            throw new DistributedApplicationException($"Neutrino:TraceSampling must be between 0 and 1, not {ratio.ToString(CultureInfo.InvariantCulture)}.");
        }
        var perSecond = configuration.GetValue("Neutrino:TraceRateLimit", DefaultTraceRateLimit);
        if (perSecond < 0)
        {
            throw new DistributedApplicationException($"Neutrino:TraceRateLimit must be 0 (no bound) or more, not {perSecond}.");
        }
        return builder.ApplicationBuilder.ExecutionContext.IsPublishMode
            ? builder
            : builder
                .WithEnvironment("Neutrino__Tracing__SampleRatio", ratio.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("Neutrino__Tracing__MaxTracesPerSecond", perSecond.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// <c>Neutrino:MetricExportSeconds</c>: how often each service sends its metrics to the Aspire
    /// dashboard (5 by default). Aspire asks for every second, which cost the idle system a tenth of a
    /// core (eight services, each exporting every instrument, and the dashboard ingesting them); at 5 s
    /// the dashboard's charts move in 5 s steps. <c>/metrics</c> is read when scraped, unaffected.
    /// </summary>
    private static IResourceBuilder<ProjectResource> WithMetricExportInterval(this IResourceBuilder<ProjectResource> builder)
    {
        var seconds = builder.ApplicationBuilder.Configuration.GetValue("Neutrino:MetricExportSeconds", 5.0);
        if (seconds is not (>= 0.1 and <= 3600))
        {
            throw new DistributedApplicationException($"Neutrino:MetricExportSeconds must be from 0.1 to 3600, not {seconds.ToString(CultureInfo.InvariantCulture)}.");
        }
        return builder.ApplicationBuilder.ExecutionContext.IsPublishMode
            ? builder
            : builder.WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", ((int)Math.Round(seconds * 1000)).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>New traces a second each service instance starts at most, unless <c>Neutrino:TraceRateLimit</c> says otherwise.</summary>
    public const int DefaultTraceRateLimit = 20;

    /// <summary>
    /// An http endpoint the service binds itself, with no DCP proxy in front (run here, on a free port):
    /// for a service of one instance on a hot path, whose callers would otherwise pay the proxy's hop.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDirectHttpEndpoint(this IResourceBuilder<ProjectResource> builder) =>
        builder.ApplicationBuilder.ExecutionContext.IsPublishMode
            ? builder.WithHttpEndpoint()
            : builder.WithHttpEndpoint(port: FreePort.Any(), isProxied: false);

    /// <summary>
    /// The endpoint callers use. Run here: the configured port (<paramref name="setting"/>, 0 for any
    /// free one), bound by the service itself with no proxy in front; with more than one
    /// <paramref name="replicas"/>, DCP's proxy listens there and spreads connections over them, as a
    /// Kubernetes Service does. In the manifest: an external http endpoint, its port left to the deployment.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublicHttpEndpoint(this IResourceBuilder<ProjectResource> builder, string setting, int defaultPort, int replicas = 1)
    {
        if (builder.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return builder.WithHttpEndpoint().WithExternalHttpEndpoints();
        }
        var port = FreePort.Resolve(builder.ApplicationBuilder.Configuration.GetValue(setting, defaultPort), setting);
        return replicas > 1
            ? builder.WithHttpEndpoint(port: port).WithExternalHttpEndpoints().WithReplicas(replicas)
            : builder.WithHttpEndpoint(port: port, isProxied: false).WithExternalHttpEndpoints();
    }

    /// <summary>
    /// <c>Neutrino__Embeddings__ModelsDirectory</c>: run here, <c>Neutrino:ModelsDir</c> (by default
    /// <c>models</c> in the data directory). A deployment gives it a volume of its own instead.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithModelsDirectory(this IResourceBuilder<ProjectResource> builder)
    {
        var host = NeutrinoHost.Of(builder.ApplicationBuilder);
        return host.IsRunMode ? builder.WithEnvironment("Neutrino__Embeddings__ModelsDirectory", host.ModelsDirectory) : builder;
    }

    /// <summary>Whether the default embedding model is provisioned in the models directory already (its manifest is written last).</summary>
    public static bool HasDefaultModel(this IDistributedApplicationBuilder builder) =>
        File.Exists(Path.Combine(NeutrinoHost.Of(builder).ModelsDirectory, "use-lite", "neutrino-model.json"));

    /// <summary>
    /// A Debian package the resource's process runs (say, npm), found or installed before the
    /// application starts, as <see cref="DebianPackages"/> does; <paramref name="needed"/> says whether it is needed this run.
    /// </summary>
    public static IResourceBuilder<T> WithDebianPackage<T>(this IResourceBuilder<T> builder, string package, string command, Func<bool> needed)
        where T : IResource
    {
        if (builder.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            builder.ApplicationBuilder.Eventing.Subscribe<BeforeStartEvent>(async (@event, cancellationToken) =>
            {
                if (needed())
                {
                    var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(builder.Resource);
                    await DebianPackages.RequireAsync(package, () => DebianPackages.FindOnPath(command), logger, cancellationToken);
                }
            });
        }
        return builder;
    }

    /// <summary>
    /// Ready when <paramref name="path"/> of its http endpoint answers 200, asked every 200 ms until it
    /// does (<see cref="StartupProbe"/>). Like Aspire's <c>WithHttpHealthCheck</c>, but each probe gives
    /// up after two seconds: a probe through DCP's proxy to a replica that is not listening yet waits
    /// otherwise for the client's own timeout, and everything that waits for the service waits with it.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithReadinessProbe(this IResourceBuilder<ProjectResource> builder, string path = "/health")
    {
        var endpoint = builder.GetEndpoint("http");
        Uri? uri = null;
        builder.OnBeforeResourceStarted((_, _, _) =>
        {
            uri = new Uri(new Uri(endpoint.Url, UriKind.Absolute), path);
            return Task.CompletedTask;
        });
        var key = $"{builder.Resource.Name}-ready";
        builder.ApplicationBuilder.Services.AddHealthChecks().AddUrlGroup(
            options => options.AddUri(uri ?? throw new DistributedApplicationException($"{builder.Resource.Name} has no endpoint yet.")).UseTimeout(ProbeTimeout),
            name: key,
            timeout: ProbeTimeout);
        builder.ApplicationBuilder.Services.AddStartupProbe(key);
        return builder.WithHealthCheck(key);
    }

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
}
