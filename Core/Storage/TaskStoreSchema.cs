using System.Reflection;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Neutrino.Core.Storage;

/// <summary>What a build of Neutrino expects of its database.</summary>
public static class TaskStoreSchema
{
    /// <summary>The connection string's name: <c>ConnectionStrings__neutrino</c>.</summary>
    public const string ConnectionName = "neutrino";

    /// <summary>The newest migration of this build (ids begin with their UTC timestamp, so the greatest is the latest).</summary>
    public static string LatestMigration { get; } = typeof(TaskDbContext).Assembly.GetTypes()
        .Select(type => type.GetCustomAttribute<MigrationAttribute>()?.Id)
        .OfType<string>()
        .Max(StringComparer.Ordinal)!;
}
