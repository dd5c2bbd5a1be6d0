using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Neutrino.Core.Storage.Migrations
{
    /// <inheritdoc />
    public partial class AddCallerAndCollections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "collection_versions");

            migrationBuilder.AddColumn<string>(
                name: "caller",
                table: "tasks",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "collections",
                columns: table => new
                {
                    tenant = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    model = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    dimensions = table.Column<int>(type: "integer", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false, defaultValueSql: "nextval('collection_versions')"),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_collections", x => new { x.tenant, x.name });
                });

            migrationBuilder.CreateTable(
                name: "collection_chunks",
                columns: table => new
                {
                    tenant = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    collection = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    document_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    chunk = table.Column<int>(type: "integer", nullable: false),
                    text = table.Column<string>(type: "text", nullable: false),
                    start = table.Column<int>(type: "integer", nullable: false),
                    length = table.Column<int>(type: "integer", nullable: false),
                    tokens = table.Column<int>(type: "integer", nullable: false),
                    metadata = table.Column<string>(type: "jsonb", nullable: true),
                    embedding = table.Column<float[]>(type: "real[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_collection_chunks", x => new { x.tenant, x.collection, x.document_id, x.chunk });
                    table.ForeignKey(
                        name: "FK_collection_chunks_collections_tenant_collection",
                        columns: x => new { x.tenant, x.collection },
                        principalTable: "collections",
                        principalColumns: new[] { "tenant", "name" },
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "collection_chunks");

            migrationBuilder.DropTable(
                name: "collections");

            migrationBuilder.DropColumn(
                name: "caller",
                table: "tasks");

            migrationBuilder.DropSequence(
                name: "collection_versions");
        }
    }
}
