using System.Net;
using System.Text;
using Neutrino.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Neutrino.Tests.Integration;

/// <summary>
/// Many tasks while things die: async workers killed with SIGKILL, NATS killed, PostgreSQL
/// restarted; the AppHost starts each again. Callers retry a refused submission with the same
/// Idempotency-Key. At the end every accepted task is terminal exactly once, none is lost, and none
/// ran more than once unless an attempt of it failed (its worker was killed under it).
/// </summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    private const int Tasks = 240;
    private static readonly TimeSpan RetryRefusedAfter = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SubmitEvery = TimeSpan.FromMilliseconds(300); // spreads the load over the whole fault sequence
    private static readonly TimeSpan FaultEvery = TimeSpan.FromMilliseconds(1500);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Every_accepted_task_ends_exactly_once_through_worker_kills_and_broker_and_database_restarts()
    {
        await NeutrinoSystem.RunOwnAsync(async system =>
        {
            using var client = system.CreateClient();

            var refusals = 0;
            var accepted = new System.Collections.Concurrent.ConcurrentBag<Guid>();
            var next = 0;
            var submitters = Enumerable.Range(0, 8).Select(async _ =>
            {
                while (Interlocked.Increment(ref next) is var n && n <= Tasks)
                {
                    var key = $"fault-{n}-{Guid.NewGuid():N}";
                    var body = "{\"args\":{\"ms\":" + (20 + (n * 37 % 280)).ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}";
                    for (var attempt = 0; ; attempt++)
                    {
                        Assert.True(attempt < 200, $"task {n} was never accepted");
                        var (status, id) = await SubmitAsync(client, body, key);
                        if (status == HttpStatusCode.Accepted)
                        {
                            accepted.Add(id);
                            break;
                        }
                        Assert.True(status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.Conflict or HttpStatusCode.InternalServerError, $"unexpected {(int)status}");
                        Interlocked.Increment(ref refusals);
                        await Task.Delay(RetryRefusedAfter);
                    }
                    await Task.Delay(SubmitEvery);
                }
            }).ToList();

            var killedWorkers = new System.Collections.Concurrent.ConcurrentBag<string>();
            var chaos = Task.Run(async () =>
            {
                var workers = system.Instances("asyncpool");
                var (nats, postgres) = (system.Instances("nats").Single(), system.Instances("postgres").Single());
                string[] plan = [workers[0], workers[1], nats, workers[0], postgres, workers[1]];
                foreach (var victim in plan)
                {
                    await Task.Delay(FaultEvery);
                    // A worker killed a moment ago may still be starting again.
                    var pid = await system.ProcessIdAsync(victim);
                    killedWorkers.Add($"{victim}/{pid}-"); // worker ids are {instance}/{pid}-{nonce}
                    Signals.Send(pid, victim == postgres ? Signals.SigInt : Signals.SigKill);
                    output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} stopped {victim} (pid {pid})");
                }
            });

            await Task.WhenAll([.. submitters, chaos]);
            Assert.Equal(Tasks, accepted.Count);

            // Killed workers' messages come back after the ack deadline (30 s), once their liveness lease is over.
            var ids = accepted.ToArray();
            var figures = await WaitForAllTerminalAsync(system.TasksConnectionString, ids, TimeSpan.FromMinutes(4));
            var runs = await ReadRunsAsync(system.TasksConnectionString, ids, [.. killedWorkers]);

            output.WriteLine($"submitted {Tasks}, refused and retried by callers {refusals}, completed {figures.Completed}, failed {figures.Failed}, " +
                             $"retried {figures.Retried}, redelivered {runs.Sum(r => r.Lost)}");
            Assert.Equal(Tasks, figures.Recorded);
            Assert.Equal(Tasks, figures.TerminalOnce);
            Assert.Equal(Tasks, figures.Completed + figures.Failed);
            // A task fails here only if all three of its attempts were lost to kills.
            Assert.All(figures.FailedErrors, error => Assert.Matches("^worker .* was lost during attempt 3, the last of 3$", error));
            // Every run after a task's first is explained by an attempt that failed: the sleep task never
            // fails by itself, so only by a killed worker. A worker that merely lost touch with NATS
            // for a while keeps its task; nothing else runs it meanwhile.
            Assert.All(runs, r => Assert.True(r.Runs == 1 + r.Lost && r.UnkilledLost == 0,
                $"task {r.Id} ran {r.Runs} times; attempts lost to killed workers {r.Lost}, to workers that were not killed {r.UnkilledLost}"));
        },
        // A key whose refused request could not be freed while PostgreSQL restarted is taken over by the retry.
        new Dictionary<string, string> { ["Neutrino__Gateway__AbandonedKeyAfter"] = "00:00:10" },
        "--Neutrino:FastPoolReplicas=1", "--Neutrino:AsyncPoolReplicas=2");
    }

    private static async Task<(HttpStatusCode Status, Guid Id)> SubmitAsync(HttpClient client, string body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sleep") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        try
        {
            using var response = await client.SendAsync(request);
            var json = await TaskClient.ReadJsonAsync(response);
            return (response.StatusCode, response.StatusCode == HttpStatusCode.Accepted ? Guid.Parse(json!["task_id"]!.GetValue<string>()) : default);
        }
        catch (HttpRequestException)
        {
            return (HttpStatusCode.ServiceUnavailable, default);
        }
    }

    private sealed record TaskRuns(Guid Id, int Runs, int Lost, int UnkilledLost);

    /// <summary>Per task: its runs, and its attempts lost to a worker, told apart by whether the test killed that worker.</summary>
    private static async Task<List<TaskRuns>> ReadRunsAsync(string connectionString, Guid[] ids, string[] killedPrefixes)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT task_id, status, coalesce(substring(detail from '^taken over: worker (\S+) stopped answering'),
                                             substring(detail from '^worker (\S+) was lost during attempt'))
            FROM task_events WHERE task_id = ANY($1) ORDER BY id
            """, connection)
        {
            Parameters = { new() { Value = ids } },
        };
        var runs = ids.ToDictionary(id => id, id => new TaskRuns(id, 0, 0, 0));
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var id = reader.GetGuid(0);
            var current = runs[id];
            if (reader.GetString(1) == "running")
            {
                current = current with { Runs = current.Runs + 1 };
            }
            if (!reader.IsDBNull(2))
            {
                var lostWorker = reader.GetString(2);
                current = killedPrefixes.Any(p => lostWorker.StartsWith(p, StringComparison.Ordinal))
                    ? current with { Lost = current.Lost + 1 }
                    : current with { UnkilledLost = current.UnkilledLost + 1 };
            }
            runs[id] = current;
        }
        return [.. runs.Values];
    }

    private sealed record Figures(int Recorded, int TerminalOnce, int Completed, int Failed, int Retried, IReadOnlyList<string> FailedErrors);

    private static async Task<Figures> WaitForAllTerminalAsync(string connectionString, Guid[] ids, TimeSpan timeout)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var figures = await ReadFiguresAsync(connectionString, ids);
                if (figures.Completed + figures.Failed == ids.Length || started.Elapsed > timeout)
                {
                    return figures;
                }
            }
            catch (NpgsqlException) when (started.Elapsed < timeout)
            {
                // PostgreSQL may still be coming back.
            }
            await Task.Delay(PollInterval);
        }
    }

    private static async Task<Figures> ReadFiguresAsync(string connectionString, Guid[] ids)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT
                count(*),
                count(*) FILTER (WHERE terminal_events = 1),
                count(*) FILTER (WHERE t.status = 'completed'),
                count(*) FILTER (WHERE t.status = 'failed'),
                coalesce(sum(retries), 0),
                coalesce(array_agg(t.error) FILTER (WHERE t.status = 'failed'), '{}')
            FROM tasks t
            CROSS JOIN LATERAL (
                SELECT count(*) FILTER (WHERE e.status IN ('completed', 'failed', 'cancelled')) AS terminal_events,
                       count(*) FILTER (WHERE e.status = 'queued' AND e.detail LIKE 'attempt % failed, retrying%') AS retries
                FROM task_events e WHERE e.task_id = t.id) ev
            WHERE t.id = ANY($1)
            """, connection)
        {
            Parameters = { new() { Value = ids } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Figures(
            (int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2), (int)reader.GetInt64(3),
            (int)reader.GetDecimal(4), reader.GetFieldValue<string[]>(5));
    }
}
