namespace Neutrino.AppHost.Nats;

/// <summary>The connection string of a NATS server, as Aspire.Hosting.Nats writes it: <c>nats://{user}:{password}@{host}:{port}</c>.</summary>
internal static class NatsConnectionString
{
    public const string EndpointName = "tcp";
    public const string MonitorEndpointName = "monitor";

    public static ReferenceExpression Create(EndpointReference endpoint, ParameterResource user, ParameterResource password) =>
        ReferenceExpression.Create($"nats://{user}:{password}@{endpoint.Property(EndpointProperty.HostAndPort)}");
}
