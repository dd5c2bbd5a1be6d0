using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Net;
using Neutrino.Core.Messaging;
using Neutrino.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Neutrino.Tests.Integration;

/// <summary>
/// A 3-server JetStream cluster (<c>Neutrino:NatsServers=3</c>, streams at 3 replicas) under two gateways
/// and four async workers (<see cref="ClusterFixture"/>). Each test submits a stream of queued tasks from several callers while one server dies: a follower
/// of the task stream killed with SIGKILL (the AppHost starts it again), or the stream's leader. Callers
/// retry a refused submission with the same Idempotency-Key. Every refusal must be a 503 with
/// Retry-After, and every accepted task must complete exactly once: one run, one terminal event.
/// Each test starts from a healthy cluster (all three servers up, the stream's replicas current).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusteredJetStreamTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private const int Tasks = 150;
    private const int Callers = 6;
    private static readonly string[] Servers = ["nats-0", "nats-1", "nats-2"];
    private static readonly TimeSpan SubmitEvery = TimeSpan.FromMilliseconds(200); // about 5 s of submissions
    private static readonly TimeSpan FaultAfter = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan RetryRefusedAfter = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ClusterTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private NeutrinoSystem System => fixture.System;

    [Fact]
    public async Task Every_accepted_task_completes_exactly_once_while_a_server_is_killed_and_restarted()
    {
        await using var nats = new NatsClient(System.NatsUrl);
        var js = nats.CreateJetStreamContext();
        var before = await WaitForHealthyClusterAsync(js);
        var victim = Servers.First(s => ServerName(s) != before.Leader);
        var restarted = TimeSpan.Zero;

        var run = await SubmitWhileAsync(async () =>
        {
            var pid = Kill(victim);
            var killed = Stopwatch.StartNew();
            // The AppHost starts it again; it is back once a new process answers its health check.
            await WaitUntilAsync(async () => IsNewProcess(victim, pid) && await IsHealthyAsync(victim), $"{victim} to be started again");
            restarted = killed.Elapsed;
        });
        var after = await WaitForHealthyClusterAsync(js);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"clustered jetstream, server killed: {run.Figures}, server back after {restarted.TotalSeconds:0.0} s, leader {before.Leader} then {after.Leader}"));
        run.AssertEveryAcceptedTaskRanOnce();
    }

    [Fact]
    public async Task Every_accepted_task_completes_exactly_once_while_the_stream_leader_is_killed()
    {
        await using var nats = new NatsClient(System.NatsUrl);
        var js = nats.CreateJetStreamContext();
        var before = await WaitForHealthyClusterAsync(js);
        var victim = Servers.Single(s => ServerName(s) == before.Leader);
        var election = TimeSpan.Zero;
        var newLeader = "";

        var reelected = false;
        var run = await SubmitWhileAsync(async () =>
        {
            var pid = Kill(victim);
            var killed = Stopwatch.StartNew();
            // The election is over once the stream answers with a leader: another server, or (on a loaded
            // machine the dead one can be started again before the others have voted) the dead one in its new process.
            await WaitUntilAsync(
                async () => (newLeader = await LeaderAsync(js) ?? "") is { Length: > 0 } leader
                    && (leader != before.Leader || (reelected = IsNewProcess(victim, pid))),
                "a stream leader after the old one was killed");
            election = killed.Elapsed;
        });
        await WaitForHealthyClusterAsync(js);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"clustered jetstream, stream leader killed: {run.Figures}, {(reelected ? "the restarted server" : "new leader")} {newLeader} elected after {election.TotalSeconds:0.0} s"));
        run.AssertEveryAcceptedTaskRanOnce();
        Assert.True(reelected || newLeader != before.Leader, $"the stream leader is still {before.Leader}'s first process");
    }

    private static string ServerName(string resource) => $"neutrino-{resource}";

    private string InstanceOf(string resource) => System.Instances(resource).Single();

    private int Kill(string resource)
    {
        var pid = System.ProcessId(InstanceOf(resource));
        Assert.True(Signals.Send(pid, Signals.SigKill), $"could not kill {resource} (pid {pid})");
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} killed {resource} (pid {pid})");
        return pid;
    }

    private bool IsNewProcess(string resource, int killed)
    {
        try
        {
            return System.ProcessId(InstanceOf(resource)) != killed;
        }
        catch (InvalidOperationException)
        {
            return false; // being started again
        }
    }

    private async Task<bool> IsHealthyAsync(string resource) => (await HealthAsync(resource)).Healthy;

    /// <summary>The server's own <c>/healthz</c>: whether it answers 200, and what it says.</summary>
    private async Task<(bool Healthy, string Says)> HealthAsync(string resource)
    {
        using var http = new HttpClient { BaseAddress = System.Endpoint(resource, "monitor"), Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            // As the AppHost checks a clustered server (see NatsExtensions); the replicas' catch-up is read from JetStream.
            using var response = await http.GetAsync("/healthz?js-server-only=true");
            return (response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (false, ex.Message);
        }
    }

    private sealed record StreamCluster(string Leader, int CurrentReplicas);

    /// <summary>All three servers healthy and the task stream led, with both followers current.</summary>
    private async Task<StreamCluster> WaitForHealthyClusterAsync(INatsJSContext js)
    {
        StreamCluster? cluster = null;
        var state = "";
        await WaitUntilAsync(async () =>
        {
            var health = new List<string>();
            foreach (var server in Servers)
            {
                var (healthy, says) = await HealthAsync(server);
                health.Add(healthy ? $"{server} healthy" : $"{server} {says} unhealthy");
            }
            var info = await StreamInfoAsync(js);
            var consumers = await ConsumerReplicasAsync(js);
            state = $"{string.Join(", ", health)}; stream replicas {info?.Config.NumReplicas}, leader {info?.Cluster?.Leader}, followers "
                + string.Join(" ", info?.Cluster?.Replicas?.Select(r => $"{r.Name}:{(r.Current ? "current" : "behind")}") ?? [])
                + "; consumers " + string.Join(" ", consumers.Select(c => $"{c.Name}:{c.Leader}+{c.Current}"));
            if (health.Any(h => h.EndsWith("unhealthy", StringComparison.Ordinal)) || consumers.Any(c => c.Leader.Length == 0 || c.Current != 2))
            {
                return false;
            }
            cluster = info?.Cluster is { Leader: { Length: > 0 } leader } c ? new StreamCluster(leader, c.Replicas?.Count(r => r.Current) ?? 0) : null;
            // 3 replicas: the stream was made (or brought up) to the count the AppHost gave the services.
            return info?.Config.NumReplicas == 3 && cluster?.CurrentReplicas == 2;
        }, () => $"a healthy cluster with the task stream at 3 current replicas ({state})");
        return cluster!;
    }

    private sealed record ConsumerCluster(string Name, string Leader, int Current);

    /// <summary>The async pool's consumers: each one's leader and how many of its followers are current.</summary>
    private static async Task<List<ConsumerCluster>> ConsumerReplicasAsync(INatsJSContext js)
    {
        var consumers = new List<ConsumerCluster>();
        foreach (var priority in Subjects.PrioritiesInOrder)
        {
            var name = Subjects.Consumer(Core.Tasks.Pools.Async, priority);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var info = (await js.GetConsumerAsync(Subjects.TaskStream, name, timeout.Token)).Info;
                consumers.Add(new ConsumerCluster(name, info.Cluster?.Leader ?? "", info.Cluster?.Replicas?.Count(r => r.Current) ?? 0));
            }
            catch (Exception ex) when (ex is NatsException or OperationCanceledException or TimeoutException)
            {
                consumers.Add(new ConsumerCluster(name, "", 0));
            }
        }
        return consumers;
    }

    private static async Task<string?> LeaderAsync(INatsJSContext js) => (await StreamInfoAsync(js))?.Cluster?.Leader;

    /// <summary>The task stream's info, or null while the cluster cannot answer (an election).</summary>
    private static async Task<NATS.Client.JetStream.Models.StreamInfo?> StreamInfoAsync(INatsJSContext js)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            return (await js.GetStreamAsync(Subjects.TaskStream, cancellationToken: timeout.Token)).Info;
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException or TimeoutException)
        {
            return null;
        }
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => WaitUntilAsync(condition, () => what);

    private static Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> what) =>
        Eventually.UntilAsync(condition, ClusterTimeout, () => $"no {what()}", PollInterval);

    /// <summary>Submits <see cref="Tasks"/> sleep tasks from <see cref="Callers"/> callers while <paramref name="fault"/> runs, then waits for all to end.</summary>
    private async Task<Run> SubmitWhileAsync(Func<Task> fault)
    {
        using var client = System.CreateClient();
        var accepted = new ConcurrentBag<Guid>();
        var refused = new ConcurrentBag<Guid>();
        var unexpected = new ConcurrentBag<string>();
        var refusals = 0;
        var next = 0;
        var run = Guid.NewGuid().ToString("N")[..8];
        var callers = Enumerable.Range(0, Callers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var n && n <= Tasks)
            {
                var key = $"cluster-{run}-{n}";
                var body = "{\"args\":{\"ms\":" + (20 + (n * 37 % 180)).ToString(CultureInfo.InvariantCulture) + "}}";
                for (var attempt = 0; ; attempt++)
                {
                    Assert.True(attempt < 300, $"task {n} was never accepted");
                    var answer = await SubmitAsync(client, body, key);
                    if (answer.Status == HttpStatusCode.Accepted)
                    {
                        accepted.Add(answer.TaskId!.Value);
                        break;
                    }
                    if (answer.Status != HttpStatusCode.ServiceUnavailable || !answer.RetryAfter)
                    {
                        unexpected.Add($"{(int)answer.Status}{(answer.RetryAfter ? "" : " without Retry-After")}: {answer.Body}");
                    }
                    if (answer.TaskId is { } refusedId)
                    {
                        refused.Add(refusedId);
                    }
                    Interlocked.Increment(ref refusals);
                    await Task.Delay(RetryRefusedAfter);
                }
                await Task.Delay(SubmitEvery);
            }
        }).ToList();
        var faults = Task.Run(async () =>
        {
            await Task.Delay(FaultAfter);
            await fault();
        });
        await Task.WhenAll([.. callers, faults]);

        var ids = accepted.ToArray();
        var figures = await WaitForAllTerminalAsync(ids, TimeSpan.FromMinutes(3));
        var refusedRuns = await CountRunsAsync([.. refused]);
        return new Run(ids.Length, refusals, [.. unexpected], figures, refused.Count, refusedRuns);
    }

    private sealed record Answer(HttpStatusCode Status, Guid? TaskId, bool RetryAfter, string Body);

    private static async Task<Answer> SubmitAsync(HttpClient client, string body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sleep") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await client.SendAsync(request);
        var json = await TaskClient.ReadJsonAsync(response);
        var id = json?["task_id"]?.GetValue<string>() is { } text && Guid.TryParse(text, out var parsed) ? parsed : (Guid?)null;
        return new Answer(response.StatusCode, id, response.Headers.RetryAfter is not null, json?.ToJsonString() ?? "");
    }

    private sealed record Figures(int Recorded, int Completed, int TerminalOnce, int RanOnce, int Duplicates);

    private sealed record Run(int Submitted, int Refusals, IReadOnlyList<string> Unexpected, Figures Counts, int RefusedTasks, int RefusedTaskRuns)
    {
        public string Figures => string.Create(CultureInfo.InvariantCulture,
            $"submitted {Submitted}, refused with 503 {Refusals} (retried by callers), completed {Counts.Completed}, duplicates={Counts.Duplicates}");

        public void AssertEveryAcceptedTaskRanOnce()
        {
            Assert.True(Unexpected.Count == 0, $"refusals other than 503 with Retry-After: {string.Join("; ", Unexpected.Take(5))}");
            Assert.Equal(Tasks, Submitted);
            Assert.Equal(Tasks, Counts.Recorded);
            Assert.Equal(Tasks, Counts.Completed);
            Assert.Equal(Tasks, Counts.TerminalOnce);
            Assert.Equal(Tasks, Counts.RanOnce);
            Assert.Equal(0, Counts.Duplicates);
            // A task refused after its row was written is recorded failed and never runs.
            Assert.Equal(0, RefusedTaskRuns);
        }
    }

    private async Task<Figures> WaitForAllTerminalAsync(Guid[] ids, TimeSpan timeout)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            var figures = await ReadFiguresAsync(ids);
            if (figures.Completed == ids.Length || started.Elapsed > timeout)
            {
                return figures;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    private async Task<Figures> ReadFiguresAsync(Guid[] ids)
    {
        await using var connection = new NpgsqlConnection(System.TasksConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT count(*),
                   count(*) FILTER (WHERE t.status = 'completed'),
                   count(*) FILTER (WHERE ev.terminal = 1),
                   count(*) FILTER (WHERE ev.runs = 1),
                   count(*) FILTER (WHERE ev.runs > 1 OR ev.terminal > 1)
            FROM tasks t
            CROSS JOIN LATERAL (
                SELECT count(*) FILTER (WHERE e.status IN ('completed', 'failed', 'cancelled')) AS terminal,
                       count(*) FILTER (WHERE e.status = 'running') AS runs
                FROM task_events e WHERE e.task_id = t.id) ev
            WHERE t.id = ANY($1)
            """, connection)
        {
            Parameters = { new() { Value = ids } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Figures((int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2), (int)reader.GetInt64(3), (int)reader.GetInt64(4));
    }

    private async Task<int> CountRunsAsync(Guid[] ids)
    {
        await using var connection = new NpgsqlConnection(System.TasksConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM task_events WHERE task_id = ANY($1) AND status = 'running'", connection)
        {
            Parameters = { new() { Value = ids } },
        };
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }
}
