using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using Neutrino.Gateway.Extensions;
using Yarp.ReverseProxy.Configuration;

namespace Neutrino.Gateway.Routing;

/// <summary>Keeps the fast pool cluster's destinations equal to what service discovery resolves, one per replica.</summary>
internal sealed partial class FastPoolDestinations(
    ServiceEndpointResolver resolver,
    InMemoryConfigProvider proxyConfig,
    IOptions<GatewayOptions> options,
    ILogger<FastPoolDestinations> logger) : BackgroundService
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var current = "";
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var source = await resolver.GetEndpointsAsync(options.Value.FastPoolService, stoppingToken);
                var destinations = source.Endpoints
                    .Select((endpoint, i) => (Id: $"fastpool-{i}", Address: ToAddress(endpoint.EndPoint)))
                    .ToDictionary(d => d.Id, d => new DestinationConfig { Address = d.Address, Health = d.Address });
                var key = string.Join(' ', destinations.Values.Select(d => d.Address).Order(StringComparer.Ordinal));
                if (key != current)
                {
                    proxyConfig.Update([SyncTaskProxy.Route()], [SyncTaskProxy.Cluster(destinations)]);
                    current = key;
                    LogDestinations(logger, key);
                }
            }
            catch (InvalidOperationException ex)
            {
                LogResolveFailed(logger, options.Value.FastPoolService, ex);
            }
            await Task.Delay(Refresh, stoppingToken);
        }
    }

    private static string ToAddress(EndPoint endPoint) => endPoint switch
    {
        UriEndPoint uri => uri.Uri.ToString(),
        DnsEndPoint dns => $"http://{dns.Host}:{dns.Port}/",
        IPEndPoint ip => $"http://{ip}/",
        _ => endPoint.ToString() ?? "",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Fast pool destinations: {Destinations}")]
    private static partial void LogDestinations(ILogger logger, string destinations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not resolve {Service}")]
    private static partial void LogResolveFailed(ILogger logger, string service, Exception error);
}
