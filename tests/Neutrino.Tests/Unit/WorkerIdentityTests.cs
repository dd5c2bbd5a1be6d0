using Microsoft.Extensions.Configuration;
using Neutrino.Core.Workers;

namespace Neutrino.Tests.Unit;

public sealed class WorkerIdentityTests
{
    [Fact]
    public void The_service_instance_id_names_the_worker()
    {
        var identity = new WorkerIdentity(Config(("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=dev, service.instance.id=asyncpool-1")));
        Assert.Equal("asyncpool-1", identity.Id);
    }

    [Fact]
    public void Without_one_the_host_and_process_do()
    {
        var identity = new WorkerIdentity(Config(("OTEL_SERVICE_NAME", "asyncpool")));
        Assert.Equal($"asyncpool-{Environment.MachineName}-{Environment.ProcessId}", identity.Id);
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
