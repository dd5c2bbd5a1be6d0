namespace Neutrino.Gateway.Auth;

/// <summary>Bound from <c>Neutrino:Auth</c>.</summary>
internal sealed class ApiKeyOptions
{
    public const string Section = "Neutrino:Auth";

    /// <summary>The key the AppHost creates on first run (or takes from <c>Neutrino__Auth__BootstrapKey</c>).</summary>
    public string? BootstrapKey { get; set; }

    /// <summary>Further accepted keys.</summary>
    public IList<string> Keys { get; } = [];

    public IEnumerable<string> AllKeys => Keys.Append(BootstrapKey).Where(k => !string.IsNullOrWhiteSpace(k))!;
}
