namespace Neutrino.Core.Tasks;

/// <summary>The worker pools and which execution mode each one serves.</summary>
public static class Pools
{
    public const string Fast = "fast";
    public const string Async = "async";
    public const string Gpu = "gpu";

    public static IReadOnlyList<string> All { get; } = [Fast, Async, Gpu];

    /// <summary>The pools that take their tasks from JetStream.</summary>
    public static IReadOnlyList<string> Queued { get; } = [Async, Gpu];

    public static string For(TaskMode mode) => mode switch
    {
        TaskMode.Sync => Fast,
        TaskMode.Async => Async,
        TaskMode.Gpu => Gpu,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };
}
