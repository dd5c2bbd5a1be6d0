using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Neutrino.Core.Storage.Migrations
{
    /// <summary>
    /// The dashboard's search: a trigram index (pg_trgm, a trusted extension the database owner may
    /// create) over args, result and error. Built concurrently, so a large table keeps taking writes.
    /// </summary>
    [DbContext(typeof(TaskDbContext))]
    [Migration("20261203070000_AddTaskSearch")]
    public sealed class AddTaskSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            migrationBuilder.Sql(
                $"CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_tasks_search ON tasks USING gin ({TaskStoreSchema.SearchExpression} gin_trgm_ops);",
                suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX CONCURRENTLY IF EXISTS ix_tasks_search;", suppressTransaction: true);
        }
    }
}
