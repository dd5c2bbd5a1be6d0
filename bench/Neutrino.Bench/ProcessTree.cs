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
