using System.Globalization;

namespace Neutrino.Bench;

/// <summary>The machine's processes, read from /proc: what the system under measurement runs and what it costs.</summary>
internal static class ProcessTree
{
    public static IEnumerable<int> Descendants(int root)
    {
        var children = All().GroupBy(p => p.Parent).ToDictionary(g => g.Key, g => g.Select(p => p.Id).ToList());
        var pending = new Stack<int>([root]);
        while (pending.TryPop(out var pid))
        {
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                yield return child;
                pending.Push(child);
            }
        }
    }

    /// <summary>Processes whose program (the first word of the command line) ends with <paramref name="program"/>.</summary>
    public static IEnumerable<int> Find(string program) =>
        All().Where(p => Read($"/proc/{p.Id}/cmdline")?.Split('\0')[0].EndsWith(program, StringComparison.Ordinal) == true).Select(p => p.Id);

    /// <summary>Processes started with <c>--monitor {pid}</c>: DCP, which detaches from the AppHost it serves.</summary>
    public static IEnumerable<int> Watching(int pid) =>
        All().Where(p => Read($"/proc/{p.Id}/cmdline")?.Split('\0') is { } words
            && words.Zip(words.Skip(1)).Any(w => w.First == "--monitor" && w.Second == pid.ToString(CultureInfo.InvariantCulture))).Select(p => p.Id);

    public static string? Environment(int pid, string name) =>
        Read($"/proc/{pid}/environ")?.Split('\0').FirstOrDefault(e => e.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];

    /// <summary>Pss from smaps_rollup: each page shared by n processes counts 1/n to each.</summary>
    public static long ProportionalMemory(int pid) =>
        Read($"/proc/{pid}/smaps_rollup")?.Split('\n').FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal)) is { } line
            ? long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024
            : 0;

    /// <summary>Every process's command line, its words joined by spaces.</summary>
    public static IEnumerable<(int Pid, string Command)> CommandLines()
    {
        foreach (var (pid, _) in All())
        {
            if (Read($"/proc/{pid}/cmdline") is { Length: > 0 } command)
            {
                yield return (pid, command.TrimEnd('\0').Replace('\0', ' '));
            }
        }
    }

    /// <summary>User and system CPU time the process has used; with its waited-for children's when asked (PostgreSQL's ended backends).</summary>
    public static double CpuSeconds(int pid, bool includeReapedChildren = false)
    {
        if (Read($"/proc/{pid}/stat") is not { } stat)
        {
            return 0;
        }
        // After "(comm) ": state is field 3, so utime (14) is index 11, stime 12, cutime 13, cstime 14.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        if (includeReapedChildren)
        {
            ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        }
        return ticks / (double)ClockTicksPerSecond;
    }

    /// <summary>Bytes the process caused to be written to storage (write_bytes in /proc/pid/io).</summary>
    public static long WrittenBytes(int pid) => Field($"/proc/{pid}/io", "write_bytes:");

    /// <summary>Resident set size (VmRSS).</summary>
    public static long ResidentBytes(int pid) => Field($"/proc/{pid}/status", "VmRSS:") * 1024;

    // USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
    private const int ClockTicksPerSecond = 100;

    private static long Field(string path, string name) =>
        Read(path)?.Split('\n').FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal)) is { } line
            ? long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)
            : 0;

    private static IEnumerable<(int Id, int Parent)> All()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Read($"{directory}/stat") is { } stat)
            {
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
                yield return (pid, int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture));
            }
        }
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null; // it exited meanwhile
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
