using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Neutrino.Core.Telemetry;

/// <summary>The activity source and meter of Neutrino's own code; ServiceDefaults exports <c>Neutrino.*</c>.</summary>
public static class NeutrinoTelemetry
{
    public const string Name = "Neutrino.Tasks";

    public static ActivitySource Source { get; } = new(Name);

    public static Meter Meter { get; } = new(Name);

    /// <summary>The id of the trace this code runs in, when that trace is recorded (sampled in); else null.</summary>
    public static string? RecordedTraceId() =>
        Activity.Current is { Recorded: true } current ? current.TraceId.ToHexString() : null;
}
