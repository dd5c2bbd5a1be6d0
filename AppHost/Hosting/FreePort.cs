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

    // Every port handed out by this process. Nothing binds one until its server starts, seconds
    // later, so "free now" alone would hand the same port to two servers now and then (it once gave
    // the gpu pool the Aspire dashboard's OTLP port, and the pool failed to bind on every restart).
    private static readonly HashSet<int> HandedOut = [];

    /// <summary><paramref name="configured"/> when it is above 0 (failing with the reason if it is taken), else a free port.</summary>
    public static int Resolve(int configured, string setting)
    {
        if (configured > 0)
        {
            if (!IsFree(configured))
            {
                throw new DistributedApplicationException(
                    $"Port {configured} ({setting}) is in use. Stop what holds it, or choose another port: --{setting}=0 takes any free one.");
            }
            // Asked for by name, so it may be asked for again by a later run in this process; Any() only skips it.
            HandOut(configured);
            return configured;
        }
        return Any();
    }

    /// <summary>A port that is free now, below the ephemeral range, and not handed out before.</summary>
    public static int Any()
    {
        for (var tries = 0; tries < 1000; tries++)
        {
            var port = Random.Shared.Next(Lowest, Highest + 1);
            if (IsFree(port) && HandOut(port))
            {
                return port;
            }
        }
        throw new DistributedApplicationException($"No free port between {Lowest} and {Highest}.");
    }

    /// <summary>False when this port was handed out before (to another server of this AppHost, or of another started by this process).</summary>
    private static bool HandOut(int port)
    {
        lock (HandedOut)
        {
            return HandedOut.Add(port);
        }
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
