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

    public static string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    public static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
