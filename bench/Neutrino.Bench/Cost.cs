using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Neutrino.Bench;

/// <summary>
/// What a stretch of work cost each part of the system: CPU time per process group (from /proc), the
/// PostgreSQL statements the services sent (their group-commit histograms on <c>/metrics</c>), the
/// WAL PostgreSQL wrote, and the bytes NATS wrote to disk (its JetStream file store).
/// </summary>
internal sealed partial class Cost
{
    // Each process belongs to the first group whose pattern its command line matches.
    private static readonly (string Group, Regex Pattern)[] Groups =
    [
        ("gateway", GatewayPattern()),
        ("async pool", AsyncPoolPattern()),
        ("fast pool", FastPoolPattern()),
        ("gpu pool", GpuPoolPattern()),
        ("dashboard", DashboardPattern()),
        ("PostgreSQL", PostgresPattern()),
        ("NATS", NatsPattern()),
        ("Aspire dashboard", AspireDashboardPattern()),
        ("DCP", DcpPattern()),
        ("AppHost", AppHostPattern()),
    ];

    public const string LoadGenerator = "load generator (bench)";

    private readonly Dictionary<string, double> _cpuSeconds;
    private readonly long _statements;
    private readonly long _walBytes;
    private readonly long _natsDiskBytes;

    private Cost(Dictionary<string, double> cpuSeconds, long statements, long walBytes, long natsDiskBytes)
    {
        _cpuSeconds = cpuSeconds;
        _statements = statements;
        _walBytes = walBytes;
        _natsDiskBytes = natsDiskBytes;
    }

    public static IEnumerable<string> GroupNames => Groups.Select(g => g.Group).Append(LoadGenerator);

    public static async Task<Cost> TakeAsync(BenchTarget target)
    {
        var cpu = GroupNames.ToDictionary(g => g, _ => 0.0);
        foreach (var (pid, group) in Processes())
        {
            cpu[group] += ProcessTree.CpuSeconds(pid, includeReapedChildren: group == "PostgreSQL");
        }
        cpu[LoadGenerator] = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var statements = 0L;
        foreach (var url in ServiceUrls())
        {
            statements += await StatementsAsync(target, url);
        }
        await using var connection = new NpgsqlConnection(target.TasksConnectionString);
        await connection.OpenAsync();
        await using var wal = new NpgsqlCommand("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint", connection);
        var walBytes = (long)(await wal.ExecuteScalarAsync())!;
        var natsDisk = ProcessTree.Find("nats-server").Sum(ProcessTree.WrittenBytes);
        return new Cost(cpu, statements, walBytes, natsDisk);
    }

    /// <summary>Resident memory (RSS) of each group now, summed over its processes.</summary>
    public static Dictionary<string, long> Resident() =>
        Processes().GroupBy(p => p.Group).ToDictionary(g => g.Key, g => g.Sum(p => ProcessTree.ResidentBytes(p.Pid)));

    /// <summary>Resident memory of each service process (a replica apiece), by group: what the 150 MB bound is about.</summary>
    public static IEnumerable<(string Group, long Bytes)> ResidentPerProcess() =>
        Processes().Select(p => (p.Group, ProcessTree.ResidentBytes(p.Pid)));

    public void Report(Report report, Cost before, int tasks, string what)
    {
        foreach (var group in GroupNames)
        {
            var ms = (_cpuSeconds[group] - before._cpuSeconds[group]) * 1000;
            if (ms > 0.5 * tasks / 1000.0)
            {
                report.Add($"{what}: CPU of {group}", string.Create(CultureInfo.InvariantCulture, $"{ms / tasks * 1000:0} CPU-ms per 1,000 tasks"));
            }
        }
        var total = GroupNames.Sum(g => _cpuSeconds[g] - before._cpuSeconds[g]) * 1000;
        report.Add($"{what}: CPU of everything", string.Create(CultureInfo.InvariantCulture, $"{total / tasks * 1000:0} CPU-ms per 1,000 tasks ({total / tasks:0.00} ms a task)"));
        report.Add($"{what}: PostgreSQL statements per task (sent by the services)", string.Create(CultureInfo.InvariantCulture, $"{(double)(_statements - before._statements) / tasks:0.00}"));
        report.Add($"{what}: PostgreSQL WAL per task", string.Create(CultureInfo.InvariantCulture, $"{(double)(_walBytes - before._walBytes) / tasks:0} bytes"));
        report.Add($"{what}: JetStream bytes written to disk per task", string.Create(CultureInfo.InvariantCulture, $"{(double)(_natsDiskBytes - before._natsDiskBytes) / tasks:0} bytes"));
    }

    private static IEnumerable<(int Pid, string Group)> Processes()
    {
        var self = Environment.ProcessId;
        foreach (var (pid, command) in ProcessTree.CommandLines())
        {
            if (pid == self)
            {
                continue;
            }
            foreach (var (group, pattern) in Groups)
            {
                if (pattern.IsMatch(command))
                {
                    yield return (pid, group);
                    break;
                }
            }
        }
    }

    /// <summary>Each service process's own address (a replica apiece), read from its environment.</summary>
    private static IEnumerable<Uri> ServiceUrls() =>
        Processes().Where(p => p.Group is "gateway" or "async pool" or "fast pool" or "gpu pool")
            .Select(p => ProcessTree.Environment(p.Pid, "ASPNETCORE_URLS")?.Split(';')[0])
            .Where(u => u is not null).Distinct().Select(u => new Uri(u!));

    /// <summary>The sum of the process's group-commit batch sizes: every statement it sent.</summary>
    private static async Task<long> StatementsAsync(BenchTarget target, Uri service)
    {
        using var client = target.CreateClient(service);
        string text;
        try
        {
            text = await client.GetStringAsync("/metrics");
        }
        catch (HttpRequestException)
        {
            return 0; // a process that is not an HTTP service of ours (a dotnet run wrapper)
        }
        return StatementSum().Matches(text).Sum(m => (long)double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^neutrino_store_batch_size\S*_sum(?:\{[^}]*\})? (\S+)", RegexOptions.Multiline)]
    private static partial Regex StatementSum();

    [GeneratedRegex(@"(^|/)Neutrino\.Gateway(\.dll)?(\s|$)")]
    private static partial Regex GatewayPattern();

    [GeneratedRegex(@"(^|/)Neutrino\.AsyncPool(\.dll)?(\s|$)")]
    private static partial Regex AsyncPoolPattern();

    [GeneratedRegex(@"(^|/)Neutrino\.FastPool(\.dll)?(\s|$)")]
    private static partial Regex FastPoolPattern();

    [GeneratedRegex(@"(^|/)Neutrino\.GpuPool(\.dll)?(\s|$)")]
    private static partial Regex GpuPoolPattern();

    [GeneratedRegex(@"(^|/)Neutrino\.Dashboard(\.dll)?(\s|$)")]
    private static partial Regex DashboardPattern();

    [GeneratedRegex(@"^postgres(:|\s|$)|/bin/postgres(\s|$)")]
    private static partial Regex PostgresPattern();

    [GeneratedRegex(@"(^|/)nats-server(\s|$)")]
    private static partial Regex NatsPattern();

    [GeneratedRegex(@"Aspire\.Dashboard")]
    private static partial Regex AspireDashboardPattern();

    [GeneratedRegex(@"(^|/)dcp\w*(\s|$)")]
    private static partial Regex DcpPattern();

    [GeneratedRegex(@"(^|/)(Neutrino\.)?AppHost(\.dll)?(\s|$)")]
    private static partial Regex AppHostPattern();
}
