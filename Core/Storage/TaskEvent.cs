namespace Neutrino.Core.Storage;

/// <summary>One state change of a task; the table is append-only.</summary>
public sealed class TaskEvent
{
    public long Id { get; set; }

    public Guid TaskId { get; set; }

    public required string Status { get; set; }

    public int Attempt { get; set; }

    public DateTimeOffset At { get; set; }

    public string? WorkerId { get; set; }

    public string? Detail { get; set; }
}
