using System.Reflection;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Neutrino.Core.Storage;

/// <summary>What a build of Neutrino expects of its database.</summary>
public static class TaskStoreSchema
{
    /// <summary>The connection string's name: <c>ConnectionStrings__neutrino</c>.</summary>
    public const string ConnectionName = "neutrino";

    /// <summary>
    /// What the search finds text in: a task's args, result and error as one text, indexed by trigrams
    /// (<c>ix_tasks_search</c>, pg_trgm). A query uses this expression exactly, or the index is not used.
    /// </summary>
    public const string SearchExpression = "(coalesce(args::text, '') || ' ' || coalesce(result::text, '') || ' ' || coalesce(error, ''))";

    /// <summary>The newest migration of this build (ids begin with their UTC timestamp, so the greatest is the latest).</summary>
    public static string LatestMigration { get; } = typeof(TaskDbContext).Assembly.GetTypes()
        .Select(type => type.GetCustomAttribute<MigrationAttribute>()?.Id)
        .OfType<string>()
        .Max(StringComparer.Ordinal)!;

    /// <summary>
    /// Whether the database has <see cref="LatestMigration"/>. A new database has no history table
    /// and has not; that is asked first, so that PostgreSQL logs no error for it.
    /// </summary>
    public static async Task<bool> HasLatestMigrationAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using (var history = new NpgsqlCommand("""SELECT to_regclass('"__EFMigrationsHistory"') IS NOT NULL""", connection))
        {
            if (await history.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return false;
            }
        }
        await using var applied = new NpgsqlCommand(
            """SELECT EXISTS (SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = $1)""", connection);
        applied.Parameters.Add(new NpgsqlParameter { Value = LatestMigration });
        return await applied.ExecuteScalarAsync(cancellationToken) is true;
    }
}
