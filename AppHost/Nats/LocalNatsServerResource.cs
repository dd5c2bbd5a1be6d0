namespace Neutrino.AppHost.Nats;

/// <summary>
/// <c>nats-server</c> from the Debian package with JetStream, run by DCP as a local process: its
/// store and its configuration (the only place the password is written) in the data directory.
/// </summary>
internal sealed class LocalNatsServerResource(string name, ParameterResource user, ParameterResource password, string dataDirectory)
    : ExecutableResource(name, "nats-server", dataDirectory), IResourceWithConnectionString
{
    public ParameterResource User { get; } = user;

    public ParameterResource Password { get; } = password;

    public string StoreDirectory => Path.Combine(WorkingDirectory, Name);

    public string ConfigurationFile => Path.Combine(WorkingDirectory, $"{Name}.conf");

    public EndpointReference PrimaryEndpoint => new(this, NatsConnectionString.EndpointName);

    public ReferenceExpression ConnectionStringExpression => NatsConnectionString.Create(PrimaryEndpoint, User, Password);
}
