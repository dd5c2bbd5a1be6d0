namespace Neutrino.Core.Json;

/// <summary>What <c>DELETE /tasks</c> did: how many finished tasks it deleted, and whether more match the filter.</summary>
public sealed record TasksDeleted(int Deleted, bool More)
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10_000;
}
