using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Npgsql;

namespace Neutrino.Bench;

/// <summary>
/// What the engines underneath do alone, in the same run and on the same servers: the ceilings
/// Neutrino's figures are printed against.
/// </summary>
internal static partial class Ceilings
{
    /// <summary>
    /// pgbench, prepared statements, 8 clients on 2 threads, 10 s of single-row inserts (each its own
    /// transaction) into a table of the bench's own, against the system's PostgreSQL.
    /// </summary>
    public static async Task<double> PostgresInsertsAsync(BenchTarget target, Report report)
    {
        var connection = new NpgsqlConnectionStringBuilder(target.TasksConnectionString);
        await using (var data = new NpgsqlConnection(target.TasksConnectionString))
        {
            await data.OpenAsync();
            await using var create = new NpgsqlCommand(
                "DROP TABLE IF EXISTS bench_inserts; CREATE TABLE bench_inserts (id bigserial PRIMARY KEY, n int NOT NULL, at timestamptz NOT NULL DEFAULT now())", data);
            await create.ExecuteNonQueryAsync();
        }
        var script = Path.Combine(Path.GetTempPath(), $"neutrino-bench-insert-{Environment.ProcessId}.sql");
        await File.WriteAllTextAsync(script, "\\set n random(1, 1000000)\nINSERT INTO bench_inserts (n) VALUES (:n);\n");
        try
        {
            var info = new ProcessStartInfo("pgbench") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "-n", "-M", "prepared", "-c", "8", "-j", "2", "-T", "10", "-f", script })
            {
                info.ArgumentList.Add(argument);
            }
            info.Environment["PGHOST"] = connection.Host;
            info.Environment["PGPORT"] = connection.Port.ToString(CultureInfo.InvariantCulture);
            info.Environment["PGUSER"] = connection.Username;
            info.Environment["PGPASSWORD"] = connection.Password;
            info.Environment["PGDATABASE"] = connection.Database;
            using var pgbench = Process.Start(info)!;
            var output = pgbench.StandardOutput.ReadToEndAsync();
            var errors = pgbench.StandardError.ReadToEndAsync();
            await pgbench.WaitForExitAsync();
            var match = Tps().Match(await output);
            if (pgbench.ExitCode != 0 || !match.Success)
            {
                throw new InvalidOperationException($"pgbench failed ({pgbench.ExitCode}): {await errors}");
            }
            var rate = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            report.Add("ceiling: PostgreSQL single-row inserts (pgbench, prepared, 8 clients)", $"{rate:0}/s");
            return rate;
        }
        finally
        {
            File.Delete(script);
            await using var data = new NpgsqlConnection(target.TasksConnectionString);
            await data.OpenAsync();
            await using var drop = new NpgsqlCommand("DROP TABLE IF EXISTS bench_inserts", data);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// JetStream alone: 64 publishers each publish and await the stream's ack for messages the size of a
    /// no-op task (its headers included), into a file-backed work-queue stream of the bench's own, while
    /// one consumer pulls and acks each; counted until the last is acked.
    /// </summary>
    public static async Task<double> JetStreamAsync(BenchTarget target, Report report, int messages = 20000, int publishers = 64)
    {
        await using var nats = new NatsConnection(NatsOpts.Default with { Url = target.NatsUrl });
        var js = new NatsJSContext(nats);
        const string stream = "BENCH_CEILING";
        try
        {
            await js.DeleteStreamAsync(stream);
        }
        catch (NatsJSApiException)
        {
        }
        await js.CreateStreamAsync(new StreamConfig(stream, ["bench.ceiling.>"])
        {
            Storage = StreamConfigStorage.File,
            Retention = StreamConfigRetention.Workqueue,
            DuplicateWindow = TimeSpan.FromMinutes(2),
        });
        try
        {
            var consumer = await js.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig("bench") { AckPolicy = ConsumerConfigAckPolicy.Explicit, MaxAckPending = 10000 });
            // What a no-op task's message carries: its args, its id and name, a traceparent, its message id.
            var payload = "{\"ms\":0}"u8.ToArray();
            var consumed = 0;
            var done = new TaskCompletionSource();
            using var stop = new CancellationTokenSource();
            var consuming = Task.Run(async () =>
            {
                await foreach (var message in consumer.ConsumeAsync<byte[]>(opts: new NatsJSConsumeOpts { MaxMsgs = 1000 }, cancellationToken: stop.Token))
                {
                    await message.AckAsync(cancellationToken: stop.Token);
                    if (Interlocked.Increment(ref consumed) == messages)
                    {
                        done.TrySetResult();
                    }
                }
            });
            var next = 0;
            var started = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, publishers).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) <= messages)
                {
                    var id = Guid.CreateVersion7().ToString();
                    var headers = new NatsHeaders
                    {
                        ["Neutrino-Task-Id"] = id,
                        ["Neutrino-Task-Name"] = "sleep",
                        ["traceparent"] = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01",
                    };
                    var ack = await js.PublishAsync("bench.ceiling.normal.sleep", payload, headers: headers, opts: new NatsJSPubOpts { MsgId = id });
                    ack.EnsureSuccess();
                }
            })));
            await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
            var rate = messages / started.Elapsed.TotalSeconds;
            await stop.CancelAsync();
            try
            {
                await consuming;
            }
            catch (OperationCanceledException)
            {
            }
            report.Add($"ceiling: JetStream publish-and-ack, consumed and acked ({publishers} publishers, file storage)", $"{rate:0}/s");
            return rate;
        }
        finally
        {
            await js.DeleteStreamAsync(stream);
        }
    }

    [GeneratedRegex(@"tps = ([0-9.]+)")]
    private static partial Regex Tps();
}
