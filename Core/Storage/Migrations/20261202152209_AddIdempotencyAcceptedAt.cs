using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Neutrino.Core.Storage.Migrations
{
    /// <inheritdoc />
    public partial class AddIdempotencyAcceptedAt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "accepted_at",
                table: "idempotency_keys",
                type: "timestamp with time zone",
                nullable: true);

            // Keys bound before this column existed named a task only once it had been accepted (or
            // refused, in which case the key was freed): those with a task are accepted.
            migrationBuilder.Sql("UPDATE idempotency_keys k SET accepted_at = k.created_at WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.id = k.task_id)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "accepted_at",
                table: "idempotency_keys");
        }
    }
}
