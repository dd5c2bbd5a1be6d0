using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Neutrino.Core.Json;

namespace Neutrino.Core.Storage;

/// <summary>The read side of the task history, shared by the polling API and the dashboard.</summary>
public sealed class TaskQueries(IDbContextFactory<TaskDbContext> contexts)
{
    /// <summary>The task; null when there is none, or when <paramref name="tenant"/> is given and it is another tenant's.</summary>
    public async Task<TaskView?> GetAsync(Guid id, CancellationToken cancellationToken, string? tenant = null)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var record = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        return record is null || (tenant is not null && record.Tenant != tenant) ? null : ToView(record);
    }

    public async Task<IReadOnlyList<TaskEvent>> GetEventsAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.TaskEvents.AsNoTracking().Where(e => e.TaskId == id).OrderBy(e => e.Id).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Newest first; the next cursor is the id of the last item when more may follow. A page ends early
    /// once its tasks' args, results and errors pass <see cref="TaskFilter.MaxBytes"/> (it always has at
    /// least one task), and rows are read in small rounds, so a page of large tasks is never held whole.
    /// </summary>
    public async Task<TaskPage> ListAsync(TaskFilter filter, CancellationToken cancellationToken)
    {
        const int Round = 50;
        var limit = Math.Clamp(filter.Limit, 1, TaskFilter.MaxLimit);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Tasks.AsNoTracking();
        if (filter.Status is not null)
        {
            query = query.Where(t => t.Status == filter.Status);
        }
        if (filter.Name is not null)
        {
            query = query.Where(t => t.Name == filter.Name);
        }
        if (filter.Pool is not null)
        {
            query = query.Where(t => t.Pool == filter.Pool);
        }
        if (filter.Tenant is not null)
        {
            query = query.Where(t => t.Tenant == filter.Tenant);
        }
        var items = new List<TaskView>();
        long bytes = 0;
        var before = filter.Before;
        while (true)
        {
            var round = before is { } cursor ? query.Where(t => t.Id < cursor) : query;
            var take = Math.Min(limit - items.Count, Round);
            var records = await round.OrderByDescending(t => t.Id).Take(take + 1).ToListAsync(cancellationToken);
            foreach (var record in records.Take(take))
            {
                bytes += Size(record);
                if (items.Count > 0 && bytes > filter.MaxBytes)
                {
                    return new TaskPage(items, items[^1].Id.ToString());
                }
                items.Add(ToView(record));
            }
            if (records.Count <= take)
            {
                return new TaskPage(items, null);
            }
            if (items.Count == limit)
            {
                return new TaskPage(items, items[^1].Id.ToString());
            }
            before = items[^1].Id;
        }
    }

    // What a task adds to a page, near enough: its JSON and text, and the fixed fields around them.
    private static long Size(TaskRecord t) => 512L + (t.Args?.Length ?? 0) + (t.Result?.Length ?? 0) + (t.Error?.Length ?? 0) + (t.ProgressMessage?.Length ?? 0);

    public static TaskView ToView(TaskRecord t) => new(
        t.Id,
        t.Name,
        t.Mode,
        t.Pool,
        t.Status,
        t.Priority,
        Parse(t.Args),
        Parse(t.Result),
        t.Error,
        t.Attempts,
        t.MaxAttempts,
        t.Progress,
        t.ProgressMessage,
        t.CreatedAt,
        t.StartedAt,
        t.CompletedAt,
        t.StartedAt is { } s && t.CompletedAt is { } c ? (long)(c - s).TotalMilliseconds : null,
        t.WorkerId,
        t.TraceId,
        t.Tenant);

    private static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
