namespace Neutrino.Core.Storage;

/// <summary>Filters of <c>GET /tasks</c> and the dashboard. <see cref="Before"/> is the keyset cursor: only tasks older than it.</summary>
public sealed record TaskFilter(string? Status = null, string? Name = null, string? Pool = null, Guid? Before = null, int Limit = 50, long MaxBytes = 1 << 20, string? Tenant = null)
{
    public const int MaxLimit = 500;
}
