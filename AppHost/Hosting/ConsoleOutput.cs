namespace Neutrino.AppHost.Hosting;

/// <summary>The AppHost's console: one line at a time, each prefixed with the resource it came from.</summary>
internal sealed class ConsoleOutput
{
    private static readonly ConsoleColor[] Palette =
        [ConsoleColor.Cyan, ConsoleColor.Green, ConsoleColor.Magenta, ConsoleColor.Yellow, ConsoleColor.Blue, ConsoleColor.DarkCyan, ConsoleColor.DarkGreen, ConsoleColor.DarkYellow];

    private readonly Lock _lock = new();
    private readonly bool _color = !Console.IsOutputRedirected;

    public void WriteLine(string prefix, string line)
    {
        lock (_lock)
        {
            if (_color)
            {
                Console.ForegroundColor = Palette[(int)((uint)StableHash(prefix) % Palette.Length)];
                Console.Write($"[{prefix}] ");
                Console.ResetColor();
                Console.WriteLine(line);
            }
            else
            {
                Console.WriteLine($"[{prefix}] {line}");
            }
        }
    }

    public void WriteLine(string line)
    {
        lock (_lock)
        {
            Console.WriteLine(line);
        }
    }

    private static int StableHash(string value)
    {
        var hash = 17;
        foreach (var c in value)
        {
            hash = (hash * 31) + c;
        }
        return hash;
    }
}
