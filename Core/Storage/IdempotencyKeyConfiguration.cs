using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Neutrino.Core.Storage;

internal sealed class IdempotencyKeyConfiguration : IEntityTypeConfiguration<IdempotencyKey>
{
    public void Configure(EntityTypeBuilder<IdempotencyKey> builder)
    {
        builder.ToTable("idempotency_keys");
        builder.HasKey(k => k.Scope);
        builder.Property(k => k.Scope).HasMaxLength(320);
        builder.Property(k => k.RequestHash).HasMaxLength(64);
        builder.HasIndex(k => k.CreatedAt);
    }
}
