using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Neutrino.Core.Storage;

internal sealed class CollectionConfiguration : IEntityTypeConfiguration<CollectionRecord>, IEntityTypeConfiguration<CollectionChunk>
{
    public const string VersionSequence = "collection_versions";

    public void Configure(EntityTypeBuilder<CollectionRecord> builder)
    {
        builder.ToTable("collections");
        builder.HasKey(c => new { c.Tenant, c.Name });
        builder.Property(c => c.Tenant).HasMaxLength(64);
        builder.Property(c => c.Name).HasMaxLength(128);
        builder.Property(c => c.Model).HasMaxLength(128);
        // Versions come from one sequence, so a collection dropped and made again never repeats a version a cache has seen.
        builder.Property(c => c.Version).HasDefaultValueSql($"nextval('{VersionSequence}')");
    }

    public void Configure(EntityTypeBuilder<CollectionChunk> builder)
    {
        builder.ToTable("collection_chunks");
        builder.HasKey(c => new { c.Tenant, c.Collection, c.DocumentId, c.Chunk });
        builder.Property(c => c.Tenant).HasMaxLength(64);
        builder.Property(c => c.Collection).HasMaxLength(128);
        builder.Property(c => c.DocumentId).HasMaxLength(256);
        builder.Property(c => c.Metadata).HasColumnType("jsonb");
        builder.Property(c => c.Embedding).HasColumnType("real[]");
        // Dropping a collection drops its chunks.
        builder.HasOne<CollectionRecord>().WithMany().HasForeignKey(c => new { c.Tenant, c.Collection }).OnDelete(DeleteBehavior.Cascade);
    }
}
