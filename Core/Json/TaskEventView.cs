namespace Neutrino.Core.Json;

/// <summary>One entry of a task's history, as <c>GET /tasks/{id}/events</c> shows it, oldest first.</summary>
public sealed record TaskEventView(long Id, string Status, int Attempt, DateTimeOffset At, string? WorkerId, string? Detail);

/// <summary>A task's whole history.</summary>
public sealed record TaskEventList(Guid TaskId, IReadOnlyList<TaskEventView> Events);
