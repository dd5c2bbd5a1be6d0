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

    /// <summary>The task's history, oldest first; null when there is no such task (or it is another tenant's).</summary>
    public async Task<TaskEventList?> GetHistoryAsync(Guid id, CancellationToken cancellationToken, string? tenant = null)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var owner = await db.Tasks.AsNoTracking().Where(t => t.Id == id).Select(t => new { t.Tenant }).FirstOrDefaultAsync(cancellationToken);
        if (owner is null || (tenant is not null && owner.Tenant != tenant))
        {
            return null;
        }
        var events = await db.TaskEvents.AsNoTracking().Where(e => e.TaskId == id).OrderBy(e => e.Id)
            .Select(e => new TaskEventView(e.Id, e.Status, e.Attempt, e.At, e.WorkerId, e.Detail))
            .Take(10_000).ToListAsync(cancellationToken);
        return new TaskEventList(id, events);
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
        var query = Filtered(db, filter);
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

    /// <summary>
    /// The ids of finished tasks the filter matches, oldest first, after <paramref name="after"/>: what a
    /// delete by filter works through, a bounded round at a time.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> FinishedIdsAsync(TaskFilter filter, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = Filtered(db, filter).Where(t => t.Status == "completed" || t.Status == "failed" || t.Status == "cancelled");
        if (after is { } cursor)
        {
            query = query.Where(t => t.Id > cursor);
        }
        return await query.OrderBy(t => t.Id).Select(t => t.Id).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>The tasks a filter matches (all but its cursor and page bounds), as an indexed query.</summary>
    private static IQueryable<TaskRecord> Filtered(TaskDbContext db, TaskFilter filter)
    {
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
        if (filter.Mode is not null)
        {
            query = query.Where(t => t.Mode == filter.Mode);
        }
        if (filter.Priority is not null)
        {
            query = query.Where(t => t.Priority == filter.Priority);
        }
        if (filter.WorkerId is not null)
        {
            query = query.Where(t => t.WorkerId == filter.WorkerId);
        }
        // Ids are UUIDv7: a creation time range is a range of the primary key.
        if (filter.From is { } from)
        {
            var lowest = IdAt(from, '0');
            query = query.Where(t => t.Id >= lowest);
        }
        if (filter.To is { } to)
        {
            var highest = IdAt(to, 'f');
            query = query.Where(t => t.Id <= highest);
        }
        if (filter.Search is { IsIdPrefix: true } prefix)
        {
            var (lowest, highest) = (prefix.LowestId!.Value, prefix.HighestId!.Value);
            query = query.Where(t => t.Id >= lowest && t.Id <= highest);
        }
        else if (filter.Search is { Text: not null } text)
        {
            // The expression of the trigram index ix_tasks_search, word for word, so the planner uses it.
            var ids = db.Database.SqlQueryRaw<Guid>($"SELECT id AS \"Value\" FROM tasks WHERE {TaskStoreSchema.SearchExpression} ILIKE {{0}}", text.LikePattern());
            query = query.Where(t => ids.Contains(t.Id));
        }
        return query;
    }

    /// <summary>The smallest (fill '0') or largest (fill 'f') UUIDv7 of the millisecond <paramref name="at"/>.</summary>
    public static Guid IdAt(DateTimeOffset at, char fill) =>
        Guid.ParseExact(Math.Max(0, at.ToUnixTimeMilliseconds()).ToString("x12", System.Globalization.CultureInfo.InvariantCulture).PadRight(32, fill), "N");

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
        t.Tenant,
        t.SubmittedBy,
        t.IdempotencyKey);

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
