using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Neutrino.Core.Workers;

/// <summary>
/// The id recorded as <c>worker_id</c>: <c>{instance}/{pid}-{nonce}</c>. The instance is the
/// OpenTelemetry service instance id when the host gives one, with the service's name in front (so
/// an AppHost replica reads <c>asyncpool-jdqcjanj</c>, as Aspire's dashboard names it), else the
/// machine's name (a pod's); the rest names this process, so a restarted replica is a new worker and never inherits the
/// liveness of the one that died.
/// </summary>
public sealed class WorkerIdentity
{
    public WorkerIdentity(IConfiguration configuration)
    {
        var service = configuration["OTEL_SERVICE_NAME"] ?? "worker";
        var instance = FromResourceAttributes(configuration["OTEL_RESOURCE_ATTRIBUTES"]) ?? Environment.MachineName;
        // Aspire names a replica by a suffix of its own ("asyncpool-jdqcjanj" gets "jdqcjanj"); a pod's name has the service in it already.
        Instance = instance.StartsWith(service, StringComparison.Ordinal) ? instance : $"{service}-{instance}";
        Id = $"{Instance}/{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Random.Shared.Next(0x10000):x4}";
    }

    public string Instance { get; }

    public string Id { get; }

    /// <summary>The instance part of a worker id.</summary>
    public static string InstanceOf(string workerId) => workerId.Split('/')[0];

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
