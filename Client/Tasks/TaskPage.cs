namespace Neutrino.Client;

/// <summary>One page of <see cref="NeutrinoClient.ListAsync"/>, newest first.</summary>
/// <param name="Items">The tasks of this page.</param>
/// <param name="NextCursor">The <see cref="TaskQuery.Cursor"/> of the next page, or null on the last one.</param>
public sealed record TaskPage(IReadOnlyList<TaskInfo> Items, string? NextCursor);
