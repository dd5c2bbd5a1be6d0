using System.Globalization;

namespace Neutrino.AppHost.Hosting;

/// <summary>A <c>nats-server</c>, with JetStream storing in <c>{data}/nats</c> when enabled.</summary>
public sealed class NatsServerResource(string name) : ManagedResource(name), IResourceWithConnectionString
{
    private string _binary = "";
    private SupervisedProcess? _process;
    private ResourceLog? _log;

    public bool JetStream { get; internal set; }

    public int Port { get; private set; }

    public int MonitorPort { get; private set; }

    public string ConnectionString => $"nats://127.0.0.1:{Port}";

    internal override async Task PrepareAsync(HostContext host, CancellationToken cancellationToken)
    {
        _binary = await Prerequisites.NatsServerAsync(host, cancellationToken);
        ChoosePorts();
    }

    internal override async Task StartAsync(HostContext host, CancellationToken cancellationToken)
    {
        var log = _log = host.OpenLog(Name);
        await Health.StartOnFreePortsAsync(() => StartProcessAsync(host, log, cancellationToken), ChoosePorts, log);
        _process!.Supervise();
    }

    private void ChoosePorts()
    {
        Port = FreePort.Next();
        MonitorPort = FreePort.Next();
    }

    private async Task StartProcessAsync(HostContext host, ResourceLog log, CancellationToken cancellationToken)
    {
        var storeDirectory = Path.Combine(host.DataDirectory, "nats");
        Directory.CreateDirectory(storeDirectory);
        List<string> arguments =
        [
            "-a", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-m", MonitorPort.ToString(CultureInfo.InvariantCulture),
            "--server_name", $"neutrino-{Name}",
        ];
        if (JetStream)
        {
            arguments.AddRange(["-js", "-sd", storeDirectory]);
        }
        _process = SupervisedProcess.Start(new ProcessSpec(Name, _binary, arguments, new Dictionary<string, string>(), host.DataDirectory), log, host);
        // /healthz answers 200 only once JetStream has recovered its store.
        await Health.WaitAsync(Name, _process.Current, log, TimeSpan.FromSeconds(60),
            ct => Health.HttpOkAsync($"http://127.0.0.1:{MonitorPort}/healthz", ct), cancellationToken);
    }

    internal override async Task StopAsync(HostContext host)
    {
        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(15));
        }
        _log?.Dispose();
    }

    internal override IEnumerable<string> Describe() => [ConnectionString + (JetStream ? " (JetStream)" : "")];
}
