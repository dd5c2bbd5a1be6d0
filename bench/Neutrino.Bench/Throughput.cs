using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Npgsql;

namespace Neutrino.Bench;

/// <summary>Many callers at once submit no-op queued tasks; counted from the first submit until the last one is completed in the history.</summary>
internal static class Throughput
{
    /// <summary>Completed per second.</summary>
    public static async Task<double> QueuedNoOpAsync(BenchTarget target, Report report, int tasks, int concurrency, double pgbench, bool cost = false)
    {
        var payload = Encoding.UTF8.GetBytes("""{"args":{"ms":0}}""");
        var since = DateTimeOffset.UtcNow;
        var next = 0;
        var before = cost ? await Cost.TakeAsync(target) : null;
        using var peak = cost ? new PeakMemory() : null;
        var started = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= tasks)
            {
                using var content = new ByteArrayContent(payload);
                using var response = await target.Client.PostAsync("/api/sleep", content);
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"submit answered {(int)response.StatusCode}");
                }
            }
        }));
        var submitted = started.Elapsed;
        await CompletedAsync(target, since, tasks, started);
        var completed = started.Elapsed;
        var rate = tasks / completed.TotalSeconds;
        report.Add(
            $"queued no-op, {tasks} tasks, {concurrency} callers",
            string.Create(CultureInfo.InvariantCulture, $"{tasks / submitted.TotalSeconds:0} submitted/s, {rate:0} completed/s ({rate / pgbench:0.00} of pgbench)"),
            ">= 0.33 of pgbench");
        if (before is not null)
        {
            (await Cost.TakeAsync(target)).Report(report, before, tasks, $"{concurrency} callers");
            peak!.Report(report, "under the throughput run (peak)");
            report.Add($"tasks with a recorded trace, {concurrency} callers", $"{await TracedAsync(target, since)} of {tasks}");
        }
        return rate;
    }

    /// <summary>The same no-op tasks, submitted by <paramref name="concurrency"/> callers in batches of <paramref name="batch"/> (<c>POST /tasks/batch</c>).</summary>
    public static async Task<double> BatchedNoOpAsync(BenchTarget target, Report report, int tasks, int batch, int concurrency, double pgbench)
    {
        var payload = Encoding.UTF8.GetBytes("{\"tasks\":[" + string.Join(',', Enumerable.Repeat("""{"task":"sleep","args":{"ms":0}}""", batch)) + "]}");
        var since = DateTimeOffset.UtcNow;
        var next = 0;
        var started = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Add(ref next, batch) <= tasks)
            {
                using var content = new ByteArrayContent(payload);
                using var response = await target.Client.PostAsync("/tasks/batch", content);
                var answer = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK || !answer.Contains($"\"accepted\":{batch},", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"a batch answered {(int)response.StatusCode}: {answer[..Math.Min(300, answer.Length)]}");
                }
            }
        }));
        var submitted = started.Elapsed;
        await CompletedAsync(target, since, tasks, started);
        var rate = tasks / started.Elapsed.TotalSeconds;
        report.Add(
            $"queued no-op in batches of {batch}, {tasks} tasks, {concurrency} callers",
            string.Create(CultureInfo.InvariantCulture, $"{tasks / submitted.TotalSeconds:0} submitted/s, {rate:0} completed/s ({rate / pgbench:0.00} of pgbench)"));
        return rate;
    }

    /// <summary>How many no-op tasks created since then have a trace (their <c>trace_id</c>: the gateway recorded its request's trace).</summary>
    private static async Task<long> TracedAsync(BenchTarget target, DateTimeOffset since)
    {
        await using var connection = new NpgsqlConnection(target.TasksConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(trace_id) FROM tasks WHERE name = 'sleep' AND created_at >= $1", connection)
        {
            Parameters = { new() { Value = since } },
        };
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Waits until <paramref name="tasks"/> no-op tasks created since then are completed in the history.</summary>
    public static async Task CompletedAsync(BenchTarget target, DateTimeOffset since, int tasks, Stopwatch started)
    {
        await using var connection = new NpgsqlConnection(target.TasksConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM tasks WHERE name = 'sleep' AND status = 'completed' AND created_at >= $1", connection)
        {
            Parameters = { new() { Value = since } },
        };
        while ((long)(await count.ExecuteScalarAsync())! < tasks)
        {
            if (started.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("queued tasks did not all complete within 5 minutes");
            }
            await Task.Delay(20);
        }
    }
}

/// <summary>Samples each service process's resident memory every half second and keeps its peak.</summary>
internal sealed class PeakMemory : IDisposable
{
    private readonly Dictionary<string, long> _peak = [];
    private readonly Timer _timer;

    public PeakMemory() => _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));

    public void Report(Report report, string when)
    {
        Sample();
        lock (_peak)
        {
            Bench.Report.Memory(report, when, _peak);
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        foreach (var (group, bytes) in Cost.ResidentPerProcess())
        {
            lock (_peak)
            {
                _peak[group] = Math.Max(_peak.GetValueOrDefault(group), bytes);
            }
        }
    }
}
