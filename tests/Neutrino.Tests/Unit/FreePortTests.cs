using Neutrino.AppHost.Hosting;

namespace Neutrino.Tests.Unit;

public sealed class FreePortTests
{
    [Fact]
    public void No_port_is_handed_out_twice_even_while_none_is_bound_yet()
    {
        // Servers bind their ports seconds after the AppHost chose them: a port merely free at the
        // time would, over 1,000 choices among 12,768, come out twice about 39 times.
        var ports = Enumerable.Range(0, 1000).Select(_ => FreePort.Any()).ToList();
        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, 20000, 32767));
    }
}
