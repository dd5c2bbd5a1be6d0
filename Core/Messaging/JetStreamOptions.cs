using System.ComponentModel.DataAnnotations;

namespace Neutrino.Core.Messaging;

/// <summary>Bound from <c>Neutrino:JetStream</c>: how the streams and the catalog bucket are stored.</summary>
public sealed class JetStreamOptions
{
    public const string Section = "Neutrino:JetStream";

    /// <summary>
    /// Copies the server cluster keeps of the task and dead-letter streams, their consumers and the
    /// catalog bucket: 1 on a single server, 3 on a 3-server cluster (a stream then survives losing
    /// one server). Streams made with another count are brought to this one at start-up; a single
    /// server refuses more than 1.
    /// </summary>
    [Range(1, 5)]
    public int StreamReplicas { get; set; } = 1;
}
