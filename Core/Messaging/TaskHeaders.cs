namespace Neutrino.Core.Messaging;

/// <summary>Headers of a queued task's message; its body is the task's args, as raw JSON.</summary>
public static class TaskHeaders
{
    public const string TaskId = "Neutrino-Task-Id";
    public const string TaskName = "Neutrino-Task";
    public const string Error = "Neutrino-Error";
    public const string Attempts = "Neutrino-Attempts";
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
}
