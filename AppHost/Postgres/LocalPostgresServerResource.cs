namespace Neutrino.AppHost.Postgres;

/// <summary>
/// PostgreSQL from Debian's binaries, run by DCP as a local process, its cluster in the data
/// directory. PostgreSQL refuses to run as root, so under root it runs as the <c>postgres</c> user.
/// The process DCP runs is a shell that starts the server and turns DCP's stop signal into
/// PostgreSQL's fast shutdown.
/// </summary>
internal sealed class LocalPostgresServerResource(string name, ParameterResource password, string clusterDirectory)
    : ExecutableResource(name, "/bin/sh", Path.GetDirectoryName(clusterDirectory)!), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";
    public const string UserName = "postgres";

    public ParameterResource Password { get; } = password;

    /// <summary>The cluster (<c>initdb</c>'s data directory), made on first start.</summary>
    public string ClusterDirectory { get; } = clusterDirectory;

    /// <summary>The newest PostgreSQL major version's bin directory, found (or installed) before the application starts.</summary>
    public string BinDirectory { get; set; } = "";

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={Password}");
}
