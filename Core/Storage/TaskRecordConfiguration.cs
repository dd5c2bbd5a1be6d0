using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Neutrino.Core.Storage;

internal sealed class TaskRecordConfiguration : IEntityTypeConfiguration<TaskRecord>
{
    public void Configure(EntityTypeBuilder<TaskRecord> builder)
    {
        builder.ToTable("tasks");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.Name).HasMaxLength(64);
        builder.Property(t => t.Mode).HasMaxLength(8);
        builder.Property(t => t.Pool).HasMaxLength(32);
        builder.Property(t => t.Status).HasMaxLength(16);
        builder.Property(t => t.Priority).HasMaxLength(8);
        builder.Property(t => t.Tenant).HasMaxLength(64);
        builder.HasIndex(t => new { t.Tenant, t.Id }).IsDescending(false, true);
        builder.Property(t => t.TraceId).HasMaxLength(32);
        builder.Property(t => t.IdempotencyKey).HasMaxLength(255);
        builder.Property(t => t.SubmittedBy).HasMaxLength(100);
        builder.Property(t => t.Args).HasColumnType("jsonb");
        builder.Property(t => t.Result).HasColumnType("jsonb");

        // Ids are UUIDv7, so "newest first" is "id descending": each filter is an index on (column, id).
        builder.HasIndex(t => new { t.Status, t.Id }).IsDescending(false, true);
        builder.HasIndex(t => new { t.Name, t.Id }).IsDescending(false, true);
        builder.HasIndex(t => new { t.Pool, t.Id }).IsDescending(false, true);
    }
}
