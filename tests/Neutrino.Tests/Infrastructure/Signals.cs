using System.Runtime.InteropServices;

namespace Neutrino.Tests.Infrastructure;

/// <summary>POSIX signals to the system's processes, as an operator (or the kernel) sends them; .NET's Process only offers SIGKILL.</summary>
internal static partial class Signals
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>Whether the process runs: it exists and is not a zombie (one whose parent died is left for init to reap).</summary>
    public static bool IsAlive(int pid)
    {
        if (Kill(pid, 0) != 0)
        {
            return false;
        }
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
