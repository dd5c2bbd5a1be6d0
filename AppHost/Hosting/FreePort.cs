using System.Net;
using System.Net.Sockets;

namespace Neutrino.AppHost.Hosting;

internal static class FreePort
{
    // Below Linux's ephemeral range (32768-60999): outgoing connections never take these ports
    // between the moment one is chosen here and the moment its server binds it.
    private const int Lowest = 20000;
    private const int Highest = 32767;

    /// <summary>A port that is free on the loopback interface right now.</summary>
    public static int Next()
    {
        for (var tries = 0; tries < 1000; tries++)
        {
            var port = Random.Shared.Next(Lowest, Highest + 1);
            if (IsFree(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException($"No free port between {Lowest} and {Highest}.");
    }

    public static bool IsFree(int port)
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
