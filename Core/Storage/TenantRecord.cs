namespace Neutrino.Core.Storage;

/// <summary>A tenant's quotas; a tenant without a row has the gateway's defaults.</summary>
public sealed class TenantRecord
{
    public required string Name { get; set; }

    /// <summary>Most of its tasks queued at once; null: the default.</summary>
    public int? MaxQueued { get; set; }

    /// <summary>Task submissions per second it may sustain; null: the default.</summary>
    public int? SubmissionsPerSecond { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
