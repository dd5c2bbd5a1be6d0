using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Neutrino.Core.Storage.Migrations
{
    /// <summary>
    /// Who submitted a task (the API key's name) and the <c>Idempotency-Key</c> it came with, for the task's
    /// detail; and a worker's own report (the gpu pool's embedding rates) beside its liveness. Nullable
    /// columns without a default: adding them rewrites nothing, whatever the table's size.
    /// </summary>
    [DbContext(typeof(TaskDbContext))]
    [Migration("20261203120000_AddSubmitterAndWorkerReport")]
    public sealed class AddSubmitterAndWorkerReport : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "idempotency_key", table: "tasks", type: "character varying(255)", maxLength: 255, nullable: true);
            migrationBuilder.AddColumn<string>(name: "submitted_by", table: "tasks", type: "character varying(100)", maxLength: 100, nullable: true);
            migrationBuilder.AddColumn<string>(name: "report", table: "workers", type: "jsonb", nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "idempotency_key", table: "tasks");
            migrationBuilder.DropColumn(name: "submitted_by", table: "tasks");
            migrationBuilder.DropColumn(name: "report", table: "workers");
        }
    }
}
