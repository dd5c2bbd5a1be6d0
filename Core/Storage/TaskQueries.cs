using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Neutrino.Core.Json;

namespace Neutrino.Core.Storage;

/// <summary>The read side of the task history, shared by the polling API and the dashboard.</summary>
public sealed class TaskQueries(IDbContextFactory<TaskDbContext> contexts)
{
    public async Task<TaskView?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var record = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        return record is null ? null : ToView(record);
    }

    public async Task<IReadOnlyList<TaskEvent>> GetEventsAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.TaskEvents.AsNoTracking().Where(e => e.TaskId == id).OrderBy(e => e.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Newest first; the next cursor is the id of the last item when more may follow.</summary>
    public async Task<TaskPage> ListAsync(TaskFilter filter, CancellationToken cancellationToken)
    {
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
        if (filter.Before is { } before)
        {
            query = query.Where(t => t.Id < before);
        }
        var records = await query.OrderByDescending(t => t.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var more = records.Count > limit;
        var items = records.Take(limit).Select(ToView).ToList();
        return new TaskPage(items, more ? items[^1].Id.ToString() : null);
    }

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
        t.TraceId);

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
