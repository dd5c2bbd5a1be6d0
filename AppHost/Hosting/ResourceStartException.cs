namespace Neutrino.AppHost.Hosting;

/// <summary>A resource could not start: which one, why, and where its log is.</summary>
public sealed class ResourceStartException : Exception
{
    public ResourceStartException(string resource, string reason, string? logPath = null)
        : base($"{resource} could not start: {reason}" + (logPath is null ? "" : $" (log: {logPath})"))
    {
        Resource = resource;
    }

    public ResourceStartException()
    {
        Resource = "";
    }

    public ResourceStartException(string message)
        : base(message)
    {
        Resource = "";
    }

    public ResourceStartException(string message, Exception innerException)
        : base(message, innerException)
    {
        Resource = "";
    }

    public string Resource { get; }

    /// <summary>The process died before it was healthy: on a port another process took first, say.</summary>
    public bool ProcessExited { get; init; }
}
