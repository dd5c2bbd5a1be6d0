namespace Neutrino.Core.Json;

public sealed record TaskPage(IReadOnlyList<TaskView> Items, string? NextCursor);
