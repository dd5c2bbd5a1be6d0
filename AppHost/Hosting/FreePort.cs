using System.Net;
using System.Net.Sockets;

namespace Neutrino.AppHost.Hosting;

/// <summary>
/// Ports for the servers that run without DCP's proxy in front of them (PostgreSQL, NATS, the
/// gateway): DCP allocates ports only for the endpoints it proxies.
/// </summary>
internal static class FreePort
{
    // Below Linux's ephemeral range (32768-60999): outgoing connections never take these ports
    // between the moment one is chosen here and the moment its server binds it.
    private const int Lowest = 20000;
    private const int Highest = 32767;

    /// <summary><paramref name="configured"/> when it is above 0 (failing with the reason if it is taken), else a free port.</summary>
    public static int Resolve(int configured, string setting)
    {
        if (configured > 0)
        {
            return IsFree(configured)
                ? configured
                : throw new DistributedApplicationException(
                    $"Port {configured} ({setting}) is in use. Stop what holds it, or choose another port: --{setting}=0 takes any free one.");
        }
        return Any();
    }

    /// <summary>A port that is free now, below the ephemeral range.</summary>
    public static int Any()
    {
        for (var tries = 0; tries < 1000; tries++)
        {
            var port = Random.Shared.Next(Lowest, Highest + 1);
            if (IsFree(port))
            {
                return port;
            }
        }
        throw new DistributedApplicationException($"No free port between {Lowest} and {Highest}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
