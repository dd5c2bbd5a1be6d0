namespace Neutrino.Core.Workers;

/// <summary>The task's args are not what the handler takes. Never retried: the same args fail the same way.</summary>
public sealed class TaskArgumentException : Exception
{
    public TaskArgumentException(string message)
        : base(message)
    {
    }

    public TaskArgumentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TaskArgumentException()
    {
    }
}
