using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Neutrino.Client.Tests.Infrastructure;

namespace Neutrino.Client.Tests;

public sealed class OptionsTests
{
    [Fact]
    public async Task AddNeutrinoClient_registers_a_typed_client_with_the_configured_address_and_key()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK, "[]");
        var services = new ServiceCollection();
        services
            .AddNeutrinoClient(o =>
            {
                o.BaseAddress = new Uri("http://di.test:8080");
                o.ApiKey = "nk_from_di";
            })
            .ConfigurePrimaryHttpMessageHandler(() => stub);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<NeutrinoClient>().CatalogAsync();

        var sent = Assert.Single(stub.Sent);
        Assert.Equal("http://di.test:8080/api", sent.Uri.AbsoluteUri);
        Assert.Equal("Bearer nk_from_di", sent.Header("Authorization"));
    }

    [Fact]
    public void A_relative_base_address_is_refused()
    {
        using var http = new HttpClient();

        Assert.Throws<ArgumentException>(() => new NeutrinoClient(http, new NeutrinoClientOptions { BaseAddress = new Uri("/gateway", UriKind.Relative) }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(61)]
    public void A_long_poll_wait_outside_1_to_60_seconds_is_refused(int seconds)
    {
        using var http = new HttpClient();

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new NeutrinoClient(http, new NeutrinoClientOptions { BaseAddress = Clients.Gateway, LongPollWait = TimeSpan.FromSeconds(seconds) }));
    }

    [Fact]
    public void A_blank_api_key_is_refused()
    {
        using var http = new HttpClient();

        Assert.Throws<ArgumentException>(() => new NeutrinoClient(http, new NeutrinoClientOptions { BaseAddress = Clients.Gateway, ApiKey = " " }));
    }

    [Fact]
    public void The_default_serializer_options_are_snake_case_and_read_only()
    {
        var options = NeutrinoClient.DefaultSerializerOptions;

        Assert.Equal("max_tokens", options.PropertyNamingPolicy!.ConvertName("MaxTokens"));
        Assert.True(options.IsReadOnly);
    }
}
