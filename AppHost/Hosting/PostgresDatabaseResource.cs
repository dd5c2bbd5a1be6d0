using Npgsql;

namespace Neutrino.AppHost.Hosting;

/// <summary>A database on a <see cref="PostgresServerResource"/>, created when the server is up if it does not exist.</summary>
public sealed class PostgresDatabaseResource : ManagedResource, IResourceWithConnectionString
{
    internal PostgresDatabaseResource(string name, PostgresServerResource server)
        : base(name)
    {
        Server = server;
        WaitsFor.Add(server);
    }

    public PostgresServerResource Server { get; }

    public string ConnectionString => Server.ConnectionStringFor(Name);

    internal override async Task StartAsync(HostContext host, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionStringFor("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = Name } } };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
            host.Console.WriteLine(Server.Name, $"created database {Name}");
        }
    }

    internal override Task StopAsync(HostContext host) => Task.CompletedTask;
}
