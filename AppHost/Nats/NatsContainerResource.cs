namespace Neutrino.AppHost.Nats;

/// <summary>The NATS server of a deployment: the official image with JetStream on a volume and its monitoring port (what KEDA reads).</summary>
internal sealed class NatsContainerResource(string name, ParameterResource user, ParameterResource password)
    : ContainerResource(name), IResourceWithConnectionString
{
    public const string Image = "library/nats";
    public const string Tag = "2.12";
    public const int Port = 4222;
    public const int MonitorPort = 8222;

    public ParameterResource User { get; } = user;

    public ParameterResource Password { get; } = password;

    public EndpointReference PrimaryEndpoint => new(this, NatsConnectionString.EndpointName);

    public ReferenceExpression ConnectionStringExpression => NatsConnectionString.Create(PrimaryEndpoint, User, Password);
}
