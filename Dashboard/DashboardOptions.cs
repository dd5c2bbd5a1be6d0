namespace Neutrino.Dashboard;

/// <summary><c>Neutrino:Dashboard</c>.</summary>
public sealed class DashboardOptions
{
    public const string Section = "Neutrino:Dashboard";

    /// <summary>How often a page that is open reads again what it shows.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The Aspire dashboard's address, for links to a task's trace; none when not set (the AppHost sets it).</summary>
    public Uri? AspireDashboardUrl { get; set; }

    /// <summary>A worker not seen for this long is shown as lost (the gateway's <c>Neutrino:Gateway:LostWorkerAfter</c>).</summary>
    public TimeSpan LostWorkerAfter { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>"Retry all matching" retries at most this many tasks per click.</summary>
    public int MaxBulkRetry { get; set; } = 1000;
}
