using Microsoft.Extensions.Options;
using Neutrino.Core.Storage;
using Neutrino.Gateway.Auth;

namespace Neutrino.Tests.Unit;

public sealed class ApiKeysTests
{
    [Fact]
    public void The_bootstrap_key_is_an_admin_before_any_key_is_read_and_only_the_keys_read_are_valid()
    {
        var keys = new ApiKeys(Options.Create(new ApiKeyOptions { BootstrapKey = "nk_bootstrap" }));
        Assert.True(keys.TryAuthenticate("nk_bootstrap", out var bootstrap));
        Assert.Equal(("default", true, keys.BootstrapId), (bootstrap.Tenant, bootstrap.IsAdmin, bootstrap.KeyId));

        var member = new ApiKeyRecord { Id = Guid.CreateVersion7(), Name = "m", Tenant = "acme", Role = "member", KeyHash = ApiKeyStore.Hash("nk_member") };
        keys.Load([member], bootstrapRevoked: false);

        Assert.True(keys.TryAuthenticate("nk_member", out var caller));
        Assert.Equal((member.Id, "acme", false), (caller.KeyId, caller.Tenant, caller.IsAdmin));
        Assert.True(keys.TryAuthenticate("nk_bootstrap", out _));
        Assert.False(keys.TryAuthenticate("nk_bootstra", out _));
        Assert.False(keys.TryAuthenticate("nk_memberx", out _));
        Assert.False(keys.TryAuthenticate("", out _));

        keys.Remove(member.Id);
        Assert.False(keys.TryAuthenticate("nk_member", out _));
        Assert.Equal(new HashSet<Guid> { member.Id, keys.BootstrapId }, keys.TakeUsed().ToHashSet());
        Assert.Empty(keys.TakeUsed());
    }

    [Fact]
    public void A_gateway_without_any_key_refuses_to_start()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new ApiKeys(Options.Create(new ApiKeyOptions())));
        Assert.Contains("Neutrino__Auth__BootstrapKey", error.Message, StringComparison.Ordinal);
    }
}
