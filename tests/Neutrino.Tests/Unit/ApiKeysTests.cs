using Microsoft.Extensions.Options;
using Neutrino.Gateway.Auth;

namespace Neutrino.Tests.Unit;

public sealed class ApiKeysTests
{
    [Fact]
    public void Only_configured_keys_are_valid()
    {
        var options = new ApiKeyOptions { BootstrapKey = "nk_bootstrap" };
        options.Keys.Add("nk_second");
        var keys = new ApiKeys(Options.Create(options));

        Assert.True(keys.IsValid("nk_bootstrap"));
        Assert.True(keys.IsValid("nk_second"));
        Assert.False(keys.IsValid("nk_bootstra"));
        Assert.False(keys.IsValid("nk_bootstrapx"));
        Assert.False(keys.IsValid(""));
    }

    [Fact]
    public void A_gateway_without_any_key_refuses_to_start()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new ApiKeys(Options.Create(new ApiKeyOptions())));
        Assert.Contains("Neutrino__Auth__BootstrapKey", error.Message, StringComparison.Ordinal);
    }
}
