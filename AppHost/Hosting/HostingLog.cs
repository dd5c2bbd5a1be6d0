namespace Neutrino.AppHost.Hosting;

/// <summary>What the AppHost's own provisioning writes to a resource's log.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Package} is missing; installing it: {Command}")]
    public static partial void Installing(ILogger logger, string package, string command);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Command}: {Line}")]
    public static partial void CommandOutput(ILogger logger, string command, string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "Initialising a new cluster in {Directory}")]
    public static partial void InitializingCluster(ILogger logger, string directory);
}
