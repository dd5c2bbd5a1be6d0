using System.Diagnostics;
using System.Net;
using System.Text;
using Npgsql;

namespace Neutrino.Bench;

/// <summary>Many callers at once submit no-op queued tasks; counted from the first submit until the last one is completed in the history.</summary>
internal static class Throughput
{
    public static async Task QueuedNoOpAsync(BenchTarget target, Report report, int tasks, int concurrency)
    {
        var payload = Encoding.UTF8.GetBytes("""{"args":{"ms":0}}""");
        var since = DateTimeOffset.UtcNow;
        var next = 0;
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
        var completed = started.Elapsed;
        report.Add(
            $"queued no-op, {tasks} tasks, {concurrency} callers",
            $"{tasks / submitted.TotalSeconds:0} submitted/s, {tasks / completed.TotalSeconds:0} completed/s",
            ">= 1,000 completed/s");
    }
}
