using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Neutrino.Core.Storage;

namespace Neutrino.Dashboard.Data;

/// <summary>
/// What the dashboard's pages read beyond <see cref="TaskQueries"/>: counts, workers, charts. Every query
/// is an indexed or key-range read with a bound on what it touches, and a time bound
/// (<see cref="QueryTimeout"/>): a dashboard never holds the database for long, whatever the table's size.
/// </summary>
public sealed class DashboardQueries(IDbContextFactory<TaskDbContext> contexts, TimeProvider time)
{
    /// <summary>Counts stop here and show as "10,000+": counting further would read every row.</summary>
    public const int CountCap = 10_000;

    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    public static readonly string[] States = ["queued", "running", "completed", "failed", "cancelled"];

    /// <summary>Tasks per state (capped at <see cref="CountCap"/>), of one tenant or all.</summary>
    public async Task<IReadOnlyList<StateCount>> CountByStateAsync(string? tenant, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        var counts = new List<StateCount>();
        foreach (var state in States)
        {
            // The state's index, read until the cap. The state is written into the statement (it is one of
            // five fixed names): each gets a plan of its own, as their sizes differ by orders of magnitude.
            var sql = $"SELECT count(*)::int AS \"Value\" FROM (SELECT 1 FROM tasks WHERE status = '{state}'{(tenant is null ? "" : " AND tenant = {0}")} LIMIT {CountCap + 1}) capped";
            var count = await db.Database.SqlQueryRaw<int>(sql, tenant is null ? [] : [tenant]).SingleAsync(cancellationToken);
            counts.Add(new StateCount(state, Math.Min(count, CountCap), count > CountCap));
        }
        return counts;
    }

    /// <summary>Workers seen within <paramref name="lostAfter"/> are live; older rows are workers lost without a clean stop.</summary>
    public async Task<IReadOnlyList<WorkerView>> WorkersAsync(TimeSpan lostAfter, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        var workers = await db.Workers.AsNoTracking().OrderBy(w => w.Pool).ThenBy(w => w.Id).Take(500).ToListAsync(cancellationToken);
        var ids = workers.Select(w => w.Id).ToList();
        // What each holds now: its running tasks (status index), at most 20 each on the page.
        var running = await db.Tasks.AsNoTracking()
            .Where(t => t.Status == "running" && t.WorkerId != null && ids.Contains(t.WorkerId))
            .OrderByDescending(t => t.Id).Take(2_000)
            .Select(t => new HeldTask(t.Id, t.Name, t.WorkerId!, t.Progress, t.StartedAt))
            .ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return [.. workers.Select(w => new WorkerView(
            w.Id, w.Pool, w.Host, w.ProcessId, w.Concurrency, w.Running, w.StartedAt, w.LastSeenAt,
            Lost: now - w.LastSeenAt > lostAfter,
            Holds: [.. running.Where(t => t.WorkerId == w.Id).Take(20)]))];
    }

    /// <summary>
    /// Per model, the last minute of every live gpu pool instance added up (each writes its own into its
    /// liveness row, see <c>EmbeddingsReport</c>): batches, inputs and tokens per second, the queue wait
    /// (mean weighted by inputs, and the longest), and the inputs queued at each instance's last renewal.
    /// </summary>
    public async Task<EmbeddingActivity> EmbeddingActivityAsync(TimeSpan lostAfter, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        var cutoff = time.GetUtcNow() - lostAfter;
        var reports = await db.Workers.AsNoTracking()
            .Where(w => w.Pool == "gpu" && w.LastSeenAt > cutoff && w.Report != null)
            .Select(w => w.Report!)
            .Take(500)
            .ToListAsync(cancellationToken);
        var rows = new Dictionary<string, ModelRates>(StringComparer.Ordinal);
        foreach (var report in reports)
        {
            foreach (var model in ReadReport(report))
            {
                rows[model.Model] = rows.TryGetValue(model.Model, out var sum) ? sum.Add(model) : model;
            }
        }
        return new EmbeddingActivity(reports.Count, [.. rows.Values.OrderBy(r => r.Model, StringComparer.Ordinal)]);
    }

    /// <summary>A worker's report, as <c>EmbeddingsReport</c> writes it; one this dashboard cannot read is left out, not a failed page.</summary>
    private static List<ModelRates> ReadReport(string json)
    {
        var rows = new List<ModelRates>();
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("embeddings", out var models) || models.ValueKind != JsonValueKind.Array)
            {
                return rows;
            }
            foreach (var m in models.EnumerateArray())
            {
                var minute = m.TryGetProperty("last_minute", out var lm) && lm.ValueKind == JsonValueKind.Object ? lm : (JsonElement?)null;
                double Number(string name) => minute is { } e && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;
                var inputs = (long)Number("inputs");
                rows.Add(new ModelRates(
                    m.GetProperty("model").GetString()!, 1, Number("batches_per_second"), Number("inputs_per_second"), Number("tokens_per_second"),
                    inputs, Number("mean_queue_wait_ms") * inputs, Number("max_queue_wait_ms"), m.TryGetProperty("queued", out var q) ? q.GetInt32() : 0));
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return [];
        }
        return rows;
    }

    /// <summary>
    /// Completed and failed tasks per bucket over <paramref name="span"/>, of tasks created in the span
    /// and the day before it (a key range: tasks waiting longer than that are not counted).
    /// </summary>
    public async Task<IReadOnlyList<ThroughputBucket>> ThroughputAsync(TimeSpan span, TimeSpan bucket, string? tenant, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        var now = time.GetUtcNow();
        var since = now - span;
        var lowest = TaskQueries.IdAt(since - TimeSpan.FromDays(1), '0');
        var seconds = bucket.TotalSeconds;
        var grouped = await db.Database.SqlQuery<BucketRow>($"""
            SELECT floor(extract(epoch FROM completed_at - {since}) / {seconds})::int AS "Bucket", status AS "Status", count(*)::int AS "Count"
            FROM tasks
            WHERE id >= {lowest} AND completed_at >= {since} AND status IN ('completed', 'failed')
              AND ({tenant}::text IS NULL OR tenant = {tenant})
            GROUP BY 1, 2
            """).ToListAsync(cancellationToken);
        var buckets = (int)Math.Ceiling(span / bucket);
        return [.. Enumerable.Range(0, buckets).Select(i => new ThroughputBucket(
            since + bucket * i,
            grouped.Where(g => g.Bucket == i && g.Status == "completed").Sum(g => g.Count),
            grouped.Where(g => g.Bucket == i && g.Status == "failed").Sum(g => g.Count)))];
    }

    /// <summary>Run-time percentiles per task name, of tasks that finished in the last <paramref name="span"/> (created within it and the day before).</summary>
    public async Task<IReadOnlyList<DurationPercentiles>> DurationsAsync(TimeSpan span, string? tenant, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        var since = time.GetUtcNow() - span;
        var lowest = TaskQueries.IdAt(since - TimeSpan.FromDays(1), '0');
        return await db.Database.SqlQuery<DurationPercentiles>($"""
            SELECT name AS "Name", count(*)::int AS "Count",
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - started_at) * 1000) AS "P50",
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - started_at) * 1000) AS "P95",
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - started_at) * 1000) AS "P99"
            FROM tasks
            WHERE id >= {lowest} AND completed_at >= {since} AND started_at IS NOT NULL AND status = 'completed'
              AND ({tenant}::text IS NULL OR tenant = {tenant})
            GROUP BY name ORDER BY count(*) DESC LIMIT 50
            """).ToListAsync(cancellationToken);
    }

    /// <summary>Tasks per pool that finished in the last <paramref name="span"/> (created within it and the day before).</summary>
    public async Task<IReadOnlyDictionary<string, int>> FinishedPerPoolAsync(TimeSpan span, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        var since = time.GetUtcNow() - span;
        var lowest = TaskQueries.IdAt(since - TimeSpan.FromDays(1), '0');
        return await db.Tasks.AsNoTracking()
            .Where(t => t.Id >= lowest && t.CompletedAt >= since)
            .GroupBy(t => t.Pool).Select(g => new { Pool = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Pool, g => g.Count, cancellationToken);
    }

    /// <summary>
    /// Collections with their documents and chunks (the chunks' primary key, read whole: a bound of
    /// <see cref="QueryTimeout"/>), of one tenant or all, at most 200.
    /// </summary>
    public async Task<IReadOnlyList<CollectionView>> CollectionsAsync(string? tenant, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        return await db.Database.SqlQuery<CollectionView>($"""
            SELECT c.tenant AS "Tenant", c.name AS "Name", c.model AS "Model", c.dimensions AS "Dimensions", c.updated_at AS "UpdatedAt",
                   coalesce(k.documents, 0)::int AS "Documents", coalesce(k.chunks, 0)::int AS "Chunks"
            FROM collections c
            LEFT JOIN (SELECT tenant, collection, count(DISTINCT document_id) AS documents, count(*) AS chunks
                       FROM collection_chunks WHERE ({tenant}::text IS NULL OR tenant = {tenant}) GROUP BY tenant, collection) k
              ON k.tenant = c.tenant AND k.collection = c.name
            WHERE ({tenant}::text IS NULL OR c.tenant = {tenant})
            ORDER BY c.tenant, c.name LIMIT 200
            """).ToListAsync(cancellationToken);
    }

    /// <summary>The oldest queued task of each pool and priority (the status index, read from its oldest end).</summary>
    public async Task<IReadOnlyDictionary<(string Pool, string Priority), DateTimeOffset>> OldestQueuedAsync(IEnumerable<(string Pool, string Priority)> queues, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        var oldest = new Dictionary<(string, string), DateTimeOffset>();
        foreach (var (pool, priority) in queues)
        {
            var first = await db.Tasks.AsNoTracking()
                .Where(t => t.Status == "queued" && t.Pool == pool && t.Priority == priority)
                .OrderBy(t => t.Id).Select(t => (DateTimeOffset?)t.CreatedAt).FirstOrDefaultAsync(cancellationToken);
            if (first is { } at)
            {
                oldest[(pool, priority)] = at;
            }
        }
        return oldest;
    }

    private sealed class BucketRow
    {
        public int Bucket { get; set; }

        public string Status { get; set; } = "";

        public int Count { get; set; }
    }

    private async Task<TaskDbContext> OpenAsync(CancellationToken cancellationToken)
    {
        var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Database.SetCommandTimeout(QueryTimeout);
        return db;
    }
}

public sealed record StateCount(string State, int Count, bool AtLeast);

public sealed record HeldTask(Guid Id, string Name, string WorkerId, double? Progress, DateTimeOffset? StartedAt);

public sealed record WorkerView(
    string Id, string Pool, string Host, int ProcessId, int Concurrency, int Running,
    DateTimeOffset StartedAt, DateTimeOffset LastSeenAt, bool Lost, IReadOnlyList<HeldTask> Holds);

public sealed record ThroughputBucket(DateTimeOffset Start, int Completed, int Failed);

/// <summary>A collection and what it holds (a row of a raw query, hence settable).</summary>
public sealed class CollectionView
{
    public string Tenant { get; set; } = "";

    public string Name { get; set; } = "";

    public string Model { get; set; } = "";

    public int Dimensions { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public int Documents { get; set; }

    public int Chunks { get; set; }
}

/// <summary>Run times in milliseconds (a row of a raw query, hence settable).</summary>
public sealed class DurationPercentiles
{
    public string Name { get; set; } = "";

    public int Count { get; set; }

    public double P50 { get; set; }

    public double P95 { get; set; }

    public double P99 { get; set; }
}

/// <summary>The embedding numbers of the live gpu pool instances that reported them.</summary>
public sealed record EmbeddingActivity(int Instances, IReadOnlyList<ModelRates> Models);

/// <summary>One model's last minute, summed over instances; the mean wait is <see cref="WaitMsTimesInputs"/> over <see cref="Inputs"/>.</summary>
public sealed record ModelRates(
    string Model, int Instances, double BatchesPerSecond, double InputsPerSecond, double TokensPerSecond,
    long Inputs, double WaitMsTimesInputs, double MaxQueueWaitMs, int Queued)
{
    public double? MeanQueueWaitMs => Inputs > 0 ? WaitMsTimesInputs / Inputs : null;

    public ModelRates Add(ModelRates other) => new(
        Model, Instances + other.Instances, BatchesPerSecond + other.BatchesPerSecond, InputsPerSecond + other.InputsPerSecond,
        TokensPerSecond + other.TokensPerSecond, Inputs + other.Inputs, WaitMsTimesInputs + other.WaitMsTimesInputs,
        Math.Max(MaxQueueWaitMs, other.MaxQueueWaitMs), Queued + other.Queued);
}
