using System.ComponentModel.DataAnnotations;

namespace Neutrino.FastPool.Extensions;

/// <summary>Bound from <c>Neutrino:FastPool</c>.</summary>
internal sealed class FastPoolOptions
{
    public const string Section = "Neutrino:FastPool";

    /// <summary>Handlers running at once in this replica.</summary>
    [Range(1, 100_000)]
    public int Concurrency { get; set; } = 256;

    /// <summary>Requests waiting for a slot; beyond it the answer is 503 with Retry-After.</summary>
    [Range(0, 100_000)]
    public int QueueLimit { get; set; } = 1024;

    [Range(1, 1L << 30)]
    public long MaxBodyBytes { get; set; } = 1 << 20;

    /// <summary>Largest result a sync task may answer with, in bytes of JSON; a larger one fails the task, saying so.</summary>
    [Range(1024, 1L << 30)]
    public long MaxResultBytes { get; set; } = 4 << 20;
}
