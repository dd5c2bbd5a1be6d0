using System.ComponentModel.DataAnnotations;

namespace Neutrino.Gateway.Extensions;

/// <summary>Bound from <c>Neutrino:Gateway</c>.</summary>
internal sealed class GatewayOptions
{
    public const string Section = "Neutrino:Gateway";

    /// <summary>Largest body accepted under <c>/api</c>; larger is 413.</summary>
    [Range(1, 1L << 30)]
    public long MaxBodyBytes { get; set; } = 1 << 20;

    /// <summary>Longest <c>?wait=</c> a poll may ask for, in seconds.</summary>
    [Range(0, 3600)]
    public int MaxWaitSeconds { get; set; } = 60;

    /// <summary>The fast pool's service name: resolved through service discovery (<c>services__fastpool__http__N</c>).</summary>
    [Required]
    public string FastPoolService { get; set; } = "http://fastpool";
}
