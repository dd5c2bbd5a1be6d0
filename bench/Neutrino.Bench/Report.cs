using System.Globalization;

namespace Neutrino.Bench;

internal sealed class Report
{
    private readonly List<(string Measure, string Value, string Target)> _rows = [];
    private string _machine = "";

    public void Add(string measure, string value, string target = "") => _rows.Add((measure, value, target));

    public void Machine()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memory = File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim();
        _machine = $"{Environment.ProcessorCount} cores ({cpu}), {memory} memory, .NET {Environment.Version}; everything on this one machine";
    }

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine($"Machine: {_machine}");
        Console.WriteLine();
        var width = _rows.Max(r => r.Measure.Length);
        var valueWidth = _rows.Max(r => r.Value.Length);
        Console.WriteLine($"| {"measure".PadRight(width)} | {"result".PadRight(valueWidth)} | target |");
        Console.WriteLine($"|{new string('-', width + 2)}|{new string('-', valueWidth + 2)}|--------|");
        foreach (var (measure, value, target) in _rows)
        {
            Console.WriteLine($"| {measure.PadRight(width)} | {value.PadRight(valueWidth)} | {target} |");
        }
    }

    /// <summary>One row: the largest resident set of any one process of each service (a replica apiece).</summary>
    public static void Memory(Report report, string when, IReadOnlyDictionary<string, long> largest) =>
        report.Add($"RSS of a service process {when}",
            string.Join(", ", largest.Where(p => p.Key is not ("DCP" or "AppHost" or "Aspire dashboard" or "PostgreSQL"))
                .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value / 1048576.0:0} MB"))),
            when.Contains("idle", StringComparison.Ordinal) ? "<= 150 MB each" : "");

    public static string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    public static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
