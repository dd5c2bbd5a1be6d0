using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers an <see cref="NpgsqlDataSource"/> from <c>ConnectionStrings:{name}</c>, the way Aspire's Npgsql client integration does.</summary>
public static class NpgsqlExtensions
{
    public static IHostApplicationBuilder AddNpgsqlDataSource(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"PostgreSQL connection string '{connectionName}' is missing: set ConnectionStrings__{connectionName}.");
        }
        var dataSourceBuilder = new NpgsqlDataSourceBuilder(connectionString);
        dataSourceBuilder.Name = connectionName;
        builder.Services.AddSingleton(sp => dataSourceBuilder.UseLoggerFactory(sp.GetRequiredService<Logging.ILoggerFactory>()).Build());
        return builder;
    }
}
