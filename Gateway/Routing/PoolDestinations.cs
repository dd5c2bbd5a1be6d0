using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using Neutrino.Gateway.Extensions;
using Yarp.ReverseProxy.Configuration;

namespace Neutrino.Gateway.Routing;

/// <summary>Keeps each pool cluster's destinations equal to what service discovery resolves, one per replica.</summary>
internal sealed partial class PoolDestinations(
    ServiceEndpointResolver resolver,
    InMemoryConfigProvider proxyConfig,
    IOptions<GatewayOptions> options,
    ILogger<PoolDestinations> logger) : BackgroundService
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var current = "";
        (string Cluster, string Service)[] pools = [(PoolProxy.FastPoolCluster, options.Value.FastPoolService), (PoolProxy.GpuPoolCluster, options.Value.GpuPoolService)];
        var destinations = pools.ToDictionary(p => p.Cluster, _ => (IReadOnlyDictionary<string, DestinationConfig>)new Dictionary<string, DestinationConfig>());
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var (cluster, service) in pools)
            {
                try
                {
                    var source = await resolver.GetEndpointsAsync(service, stoppingToken);
                    destinations[cluster] = source.Endpoints
                        .Select((endpoint, i) => (Id: $"{cluster}-{i}", Address: ToAddress(endpoint.EndPoint)))
                        .ToDictionary(d => d.Id, d => new DestinationConfig { Address = d.Address, Health = d.Address });
                }
                catch (InvalidOperationException ex)
                {
                    LogResolveFailed(logger, service, ex);
                }
            }
            var key = string.Join(" | ", destinations.Select(c => $"{c.Key}: {string.Join(' ', c.Value.Values.Select(d => d.Address).Order(StringComparer.Ordinal))}"));
            if (key != current)
            {
                proxyConfig.Update(PoolProxy.Routes(), [.. destinations.Select(c => PoolProxy.Cluster(c.Key, c.Value))]);
                current = key;
                LogDestinations(logger, key);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool destinations: {Destinations}")]
    private static partial void LogDestinations(ILogger logger, string destinations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not resolve {Service}")]
    private static partial void LogResolveFailed(ILogger logger, string service, Exception error);
}
