using System.ComponentModel.DataAnnotations;

namespace Neutrino.Gateway.Auth;

/// <summary>Bound from <c>Neutrino:Auth</c>.</summary>
internal sealed class ApiKeyOptions
{
    public const string Section = "Neutrino:Auth";

    /// <summary>The first admin key: the AppHost creates it on first run (or takes it from <c>Neutrino__Auth__BootstrapKey</c>).</summary>
    public string? BootstrapKey { get; set; }

    /// <summary>The bootstrap key's tenant.</summary>
    [RegularExpression("^[a-z0-9][a-z0-9_-]{0,63}$")]
    public string BootstrapTenant { get; set; } = "default";

    /// <summary>How often each gateway reads the keys again: a key made or revoked elsewhere takes effect within it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);
}
