namespace Neutrino.Core.Workers;

/// <summary>
/// A pool's own numbers (the gpu pool's embedding rates, say), written as JSON into its row of the
/// <c>workers</c> table with every liveness renewal, so the dashboard reads every instance's, however many
/// replicas run and whichever one a request would reach.
/// </summary>
public interface IWorkerReport
{
    /// <summary>The report as a JSON object; null when there is nothing to say.</summary>
    string? ToJson();
}
