namespace Neutrino.AppHost.Nats;

/// <summary>
/// Several <see cref="LocalNatsServerResource"/>s routed into one JetStream cluster on loopback. Its
/// connection string lists every server (<c>nats://…@host:port,nats://…@host:port,…</c>), so a client
/// that loses its server carries on with another. Running once every server has been ready; a server
/// that goes down later leaves the cluster serving on the others' quorum.
/// </summary>
internal sealed class LocalNatsClusterResource(string name) : Resource(name), IResourceWithConnectionString
{
    public List<LocalNatsServerResource> Servers { get; } = [];

    /// <summary>The copies of each stream: one per server, up to 3 (JetStream's usual maximum that still tolerates one loss).</summary>
    public int StreamReplicas => Math.Min(Servers.Count, 3);

    public ReferenceExpression ConnectionStringExpression
    {
        get
        {
            var builder = new ReferenceExpressionBuilder();
            for (var i = 0; i < Servers.Count; i++)
            {
                if (i > 0)
                {
                    builder.AppendLiteral(",");
                }
                builder.Append($"{Servers[i].ConnectionStringExpression}");
            }
            return builder.Build();
        }
    }
}
