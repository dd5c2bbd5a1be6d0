using Microsoft.Extensions.Configuration;

namespace Neutrino.Core.Workers;

/// <summary>The id recorded as <c>worker_id</c>: the OpenTelemetry service instance id when the host gives one.</summary>
public sealed class WorkerIdentity(IConfiguration configuration)
{
    public string Id { get; } = FromResourceAttributes(configuration["OTEL_RESOURCE_ATTRIBUTES"])
        ?? $"{configuration["OTEL_SERVICE_NAME"] ?? "worker"}-{Environment.MachineName}-{Environment.ProcessId}";

    private static string? FromResourceAttributes(string? attributes)
    {
        foreach (var pair in (attributes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2);
            if (parts.Length == 2 && parts[0] == "service.instance.id" && parts[1].Length > 0)
            {
                return parts[1];
            }
        }
        return null;
    }
}
