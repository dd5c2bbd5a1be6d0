namespace Neutrino.Core.Workers;

/// <summary>Thrown by a handler to fail its task at once, without the remaining attempts.</summary>
public sealed class PermanentTaskException : Exception
{
    public PermanentTaskException(string message)
        : base(message)
    {
    }

    public PermanentTaskException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PermanentTaskException()
    {
    }
}
