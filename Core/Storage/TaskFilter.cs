namespace Neutrino.Core.Storage;

/// <summary>
/// Filters of <c>GET /tasks</c> and the dashboard. <see cref="Before"/> is the keyset cursor: only tasks
/// older than it. <see cref="From"/> and <see cref="To"/> bound the creation time, which for a UUIDv7 id is a
/// range of the primary key. <see cref="Search"/> is a task id (or its prefix) or text in args, result or error.
/// </summary>
public sealed record TaskFilter(
    string? Status = null,
    string? Name = null,
    string? Pool = null,
    Guid? Before = null,
    int Limit = 50,
    long MaxBytes = 1 << 20,
    string? Tenant = null,
    string? Mode = null,
    string? Priority = null,
    string? WorkerId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    TaskSearch? Search = null)
{
    public const int MaxLimit = 500;
}
