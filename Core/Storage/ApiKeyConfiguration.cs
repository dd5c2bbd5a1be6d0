using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Neutrino.Core.Storage;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKeyRecord>
{
    public void Configure(EntityTypeBuilder<ApiKeyRecord> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Name).HasMaxLength(100);
        builder.Property(k => k.Tenant).HasMaxLength(64);
        builder.Property(k => k.Role).HasMaxLength(16);
        builder.HasIndex(k => k.KeyHash).IsUnique();
    }
}

internal sealed class TenantConfiguration : IEntityTypeConfiguration<TenantRecord>
{
    public void Configure(EntityTypeBuilder<TenantRecord> builder)
    {
        builder.ToTable("tenants");
        builder.HasKey(t => t.Name);
        builder.Property(t => t.Name).HasMaxLength(64);
    }
}
