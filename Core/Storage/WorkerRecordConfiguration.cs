using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Neutrino.Core.Storage;

internal sealed class WorkerRecordConfiguration : IEntityTypeConfiguration<WorkerRecord>
{
    public void Configure(EntityTypeBuilder<WorkerRecord> builder)
    {
        builder.ToTable("workers");
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Id).HasMaxLength(128);
        builder.Property(w => w.Pool).HasMaxLength(32);
        builder.Property(w => w.Host).HasMaxLength(255);
        builder.Property(w => w.Report).HasColumnType("jsonb");
    }
}
