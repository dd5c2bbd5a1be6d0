namespace Neutrino.Core.Storage;

/// <summary>
/// PostgreSQL refused one statement for what it carries (a value <c>jsonb</c> or <c>text</c> cannot
/// hold, say), not because the database is away. Retrying the same write cannot succeed, so the
/// retry loops that ride out outages do not catch it; the caller reports the problem instead.
/// </summary>
public sealed class TaskWriteRejectedException : Exception
{
    public TaskWriteRejectedException()
    {
    }

    public TaskWriteRejectedException(string message)
        : base(message)
    {
    }

    public TaskWriteRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
