using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Neutrino.Core.Storage;
using Neutrino.Dashboard.Data;
using Npgsql;

// Times the dashboard's queries, as its pages run them, against a table of --tasks tasks (default
// 1,000,000, with three history events each) in a database of its own on the system's PostgreSQL:
//   dotnet run -c Release --project bench/Neutrino.Bench.Dashboard -- --data DIR [--tasks N]
// DIR is a running system's data directory (dotnet run --project AppHost -- --Neutrino:DataDir=DIR).
var data = Arg("--data") ?? throw new ArgumentException("--data DIR: the data directory of a running system");
var tasks = int.Parse(Arg("--tasks") ?? "1000000", CultureInfo.InvariantCulture);
var endpoints = JsonNode.Parse(File.ReadAllText(Path.Combine(data, "run", "endpoints.json")))!;
var connection = new NpgsqlConnectionStringBuilder(endpoints["neutrino"]!["connection_string"]!.GetValue<string>()) { Database = "neutrino_dashboard_bench" }.ConnectionString;

var builder = Host.CreateApplicationBuilder();
builder.Configuration["Logging:LogLevel:Default"] = "Warning";
builder.Configuration["ConnectionStrings:neutrino"] = connection;
builder.AddTaskStoreMigrator();
builder.AddTaskStore();
builder.Services.AddSingleton<DashboardQueries>();
using var host = builder.Build();
await host.Services.GetRequiredService<TaskStoreMigrator>().MigrateAsync(CancellationToken.None);

await using (var db = NpgsqlDataSource.Create(connection))
{
    var existing = (long)(await db.CreateCommand("SELECT count(*) FROM tasks").ExecuteScalarAsync())!;
    if (existing != tasks)
    {
        Console.WriteLine($"Writing {tasks:N0} tasks and {tasks * 3:N0} events (once; the database is kept for the next run)...");
        var watch = Stopwatch.StartNew();
        await Exec(db, "TRUNCATE tasks, task_events, workers");
        // Seven days of tasks, newest now; UUIDv7 ids from their creation time; 20 task names, 10 tenants;
        // 90% completed, 5% failed, 2% queued, 1% running, 2% cancelled; args with a word of 1,000.
        await Exec(db, $"""
            INSERT INTO tasks (id, name, mode, pool, status, priority, args, result, error, attempts, max_attempts, created_at, started_at, completed_at, worker_id, tenant, trace_id)
            SELECT (lpad(to_hex((extract(epoch FROM c) * 1000)::bigint), 12, '0') || '7' || substr(md5(i::text), 1, 3) || '8' || substr(md5(i::text), 4, 15))::uuid,
                   'task_' || (i % 20), CASE WHEN i % 10 = 0 THEN 'sync' ELSE 'async' END, CASE WHEN i % 10 = 0 THEN 'fast' ELSE 'async' END,
                   s, (ARRAY['high','normal','low'])[1 + i % 3],
                   jsonb_build_object('n', i, 'word', 'word' || (i % 1000), 'note', md5(i::text)),
                   CASE WHEN s = 'completed' THEN jsonb_build_object('ok', true, 'n', i) END,
                   CASE WHEN s = 'failed' THEN 'InvalidOperationException: planned failure of ' || md5((i * 7)::text) END,
                   1, 3, c, CASE WHEN s <> 'queued' THEN c + interval '5 ms' END, CASE WHEN s IN ('completed','failed','cancelled') THEN c + (i % 500) * interval '1 ms' END,
                   CASE WHEN s <> 'queued' THEN 'asyncpool-' || (i % 8) || '/1-abcd' END, 'tenant' || (i % 10), md5(i::text)
            FROM (SELECT i, now() - (i * (interval '7 days' / {tasks})) AS c,
                         CASE WHEN i % 100 < 90 THEN 'completed' WHEN i % 100 < 95 THEN 'failed' WHEN i % 100 < 97 THEN 'queued' WHEN i % 100 < 98 THEN 'running' ELSE 'cancelled' END AS s
                  FROM generate_series(1, {tasks}) AS i) g
            """);
        await Exec(db, """
            INSERT INTO task_events (task_id, status, attempt, at, worker_id, detail)
            SELECT id, e.status, e.attempt, created_at, worker_id, NULL FROM tasks,
                   LATERAL (VALUES ('queued', 0), ('running', 1), (tasks.status, 1)) AS e(status, attempt)
            """);
        await Exec(db, "INSERT INTO workers (id, pool, host, process_id, concurrency, running, started_at, last_seen_at) SELECT 'asyncpool-' || i || '/1-abcd', 'async', 'host', i, 16, 2, now() - interval '1 hour', now() FROM generate_series(0, 7) i");
        await Exec(db, "VACUUM ANALYZE tasks");
        await Exec(db, "VACUUM ANALYZE task_events");
        Console.WriteLine($"  written in {watch.Elapsed.TotalSeconds:0} s");
    }
}

var queries = host.Services.GetRequiredService<TaskQueries>();
var dashboard = host.Services.GetRequiredService<DashboardQueries>();
var someId = (await queries.ListAsync(new TaskFilter(Status: "failed", Limit: 1), default)).Items[0].Id;
var rows = new List<(string What, string Query, Func<Task<int>> Run)>
{
    ("Counts by state (5 capped counts)", "status index, LIMIT 10,001 each", async () => (await dashboard.CountByStateAsync(null, default)).Count),
    ("Counts by state of one tenant", "status index + tenant filter", async () => (await dashboard.CountByStateAsync("tenant3", default)).Count),
    ("Newest 50", "primary key, backwards", async () => (await queries.ListAsync(new TaskFilter(), default)).Items.Count),
    ("Newest 50 failed", "(status, id) index", async () => (await queries.ListAsync(new TaskFilter(Status: "failed"), default)).Items.Count),
    ("Newest 50 of a task name", "(name, id) index", async () => (await queries.ListAsync(new TaskFilter(Name: "task_7"), default)).Items.Count),
    ("Newest 50 of a tenant", "(tenant, id) index", async () => (await queries.ListAsync(new TaskFilter(Tenant: "tenant3"), default)).Items.Count),
    ("Newest 50 of a worker", "primary key + filter", async () => (await queries.ListAsync(new TaskFilter(WorkerId: "asyncpool-3/1-abcd"), default)).Items.Count),
    ("Newest 50, priority low, mode sync", "primary key + filters", async () => (await queries.ListAsync(new TaskFilter(Priority: "low", Mode: "sync"), default)).Items.Count),
    ("A page 3 days back (from/to)", "primary key range", async () => (await queries.ListAsync(new TaskFilter(From: DateTimeOffset.UtcNow.AddDays(-3.1), To: DateTimeOffset.UtcNow.AddDays(-3)), default)).Items.Count),
    ("Search a rare text (one task's args)", "trigram index", async () => (await queries.ListAsync(new TaskFilter(Search: Search("\"n\": 123457,")), default)).Items.Count),
    ("Search a common word (1 task in 1,000)", "trigram index", async () => (await queries.ListAsync(new TaskFilter(Search: Search("word417\"")), default)).Items.Count),
    ("Search an error text", "trigram index", async () => (await queries.ListAsync(new TaskFilter(Search: Search("planned failure of " + Md5(91 * 7)[..6])), default)).Items.Count),
    ("Search by id prefix", "primary key range", async () => (await queries.ListAsync(new TaskFilter(Search: Search(someId.ToString()[..13])), default)).Items.Count),
    ("Task detail + history", "primary key, task_id index", async () => (await queries.GetHistoryAsync(someId, default))!.Events.Count),
    ("Finished per minute, last hour", "primary key range (created within 25 h)", async () => (await dashboard.ThroughputAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(1), null, default)).Count),
    ("Finished per hour, last 24 h", "primary key range (created within 48 h)", async () => (await dashboard.ThroughputAsync(TimeSpan.FromHours(24), TimeSpan.FromHours(1), null, default)).Count),
    ("Run-time percentiles per task, last hour", "primary key range", async () => (await dashboard.DurationsAsync(TimeSpan.FromHours(1), null, default)).Count),
    ("Finished per pool, last 5 min", "primary key range", async () => (await dashboard.FinishedPerPoolAsync(TimeSpan.FromMinutes(5), default)).Count),
    ("Oldest queued, 6 queues", "(status, id) index", async () => (await dashboard.OldestQueuedAsync([("async", "high"), ("async", "normal"), ("async", "low"), ("gpu", "high"), ("gpu", "normal"), ("gpu", "low")], default)).Count),
    ("Workers and what they run", "workers + status index", async () => (await dashboard.WorkersAsync(TimeSpan.FromSeconds(90), default)).Count),
};

Console.WriteLine();
Console.WriteLine($"Dashboard queries on {tasks:N0} tasks ({tasks * 3:N0} events), {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}; median and worst of 7 runs after one warm-up");
Console.WriteLine();
Console.WriteLine("| query | read through | rows | median ms | worst ms |");
Console.WriteLine("|---|---|---:|---:|---:|");
foreach (var (what, through, run) in rows)
{
    var count = await run();
    var times = new List<double>();
    for (var i = 0; i < 7; i++)
    {
        var watch = Stopwatch.StartNew();
        count = await run();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {what} | {through} | {count} | {times[3]:0.0} | {times[^1]:0.0} |"));
}

static TaskSearch Search(string q) => TaskSearch.TryParse(q, out var search, out var problem) ? search : throw new ArgumentException(problem);

// The text PostgreSQL's md5() put in the generated rows, to search for; not a use of MD5 for security.
#pragma warning disable CA5351
static string Md5(int i) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture))));
#pragma warning restore CA5351

static async Task Exec(NpgsqlDataSource db, string sql)
{
    await using var command = db.CreateCommand(sql);
    command.CommandTimeout = 0;
    await command.ExecuteNonQueryAsync();
}

string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
