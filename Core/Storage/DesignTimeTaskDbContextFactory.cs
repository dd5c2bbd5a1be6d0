using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Neutrino.Core.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running database.</summary>
internal sealed class DesignTimeTaskDbContextFactory : IDesignTimeDbContextFactory<TaskDbContext>
{
    public TaskDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<TaskDbContext>().UseNpgsql("Host=localhost;Database=neutrino").Options);
}
