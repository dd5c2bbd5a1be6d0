using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Neutrino.Core.Telemetry;

/// <summary>The activity source and meter of Neutrino's own code; ServiceDefaults exports <c>Neutrino.*</c>.</summary>
public static class NeutrinoTelemetry
{
    public const string Name = "Neutrino.Tasks";

    public static ActivitySource Source { get; } = new(Name);

    public static Meter Meter { get; } = new(Name);
}
