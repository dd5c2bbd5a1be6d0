namespace Neutrino.AppHost.Postgres;

/// <summary>
/// A database of a <see cref="LocalPostgresServerResource"/>: a connection string. The migrations
/// resource creates the database itself, the same way where PostgreSQL is a managed service.
/// </summary>
internal sealed class LocalPostgresDatabaseResource(string name, LocalPostgresServerResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresServerResource>, IResourceWithConnectionString
{
    public LocalPostgresServerResource Parent { get; } = parent;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={Name}");
}
