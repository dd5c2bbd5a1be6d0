namespace Neutrino.Client;

/// <summary>What one call of <see cref="NeutrinoClient.DeleteFinishedAsync"/> did.</summary>
/// <param name="Deleted">Finished tasks deleted, with their history.</param>
/// <param name="More">Whether more finished tasks match the query: call again to delete them.</param>
public sealed record TasksDeleted(int Deleted, bool More);
