using Microsoft.Extensions.Logging;

namespace Neutrino.Core.Telemetry;

/// <summary>
/// Every log line written while a task runs, the handler's own included, carries the task's id and
/// name (as the attributes <c>TaskId</c> and <c>TaskName</c> in OpenTelemetry, and so in the Aspire dashboard).
/// </summary>
public static class TaskLogScope
{
    private static readonly Func<ILogger, Guid, string, IDisposable?> Scope =
        LoggerMessage.DefineScope<Guid, string>("Task {TaskId} ({TaskName})");

    public static IDisposable? Begin(ILogger logger, Guid id, string name) => Scope(logger, id, name);
}
