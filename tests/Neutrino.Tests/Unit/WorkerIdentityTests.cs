using Microsoft.Extensions.Configuration;
using Neutrino.Core.Workers;

namespace Neutrino.Tests.Unit;

public sealed class WorkerIdentityTests
{
    [Fact]
    public void The_service_instance_id_names_the_worker()
    {
        var identity = new WorkerIdentity(Config(
            ("OTEL_SERVICE_NAME", "asyncpool"), ("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=dev, service.instance.id=asyncpool-1")));
        Assert.Equal("asyncpool-1", identity.Instance);
        Assert.Matches($"^asyncpool-1/{Environment.ProcessId}-[0-9a-f]{{4}}$", identity.Id);
        Assert.Equal("asyncpool-1", WorkerIdentity.InstanceOf(identity.Id));
    }

    [Fact]
    public void An_Aspire_replica_is_named_as_the_Aspire_dashboard_names_it()
    {
        // Aspire gives a replica only its suffix as the instance id.
        var identity = new WorkerIdentity(Config(("OTEL_SERVICE_NAME", "asyncpool"), ("OTEL_RESOURCE_ATTRIBUTES", "service.instance.id=jdqcjanj")));
        Assert.Equal("asyncpool-jdqcjanj", identity.Instance);
    }

    [Fact]
    public void Each_process_is_a_new_worker_even_under_the_same_instance_name()
    {
        var attributes = Config(("OTEL_RESOURCE_ATTRIBUTES", "service.instance.id=asyncpool-1"));
        var ids = Enumerable.Range(0, 8).Select(_ => new WorkerIdentity(attributes).Id).ToHashSet();
        Assert.True(ids.Count > 1, "a restarted worker must not reuse the id (and so the liveness) of the one before");
    }

    [Fact]
    public void Without_one_the_host_and_process_do()
    {
        var identity = new WorkerIdentity(Config(("OTEL_SERVICE_NAME", "asyncpool")));
        Assert.Equal($"asyncpool-{Environment.MachineName}", identity.Instance);
        Assert.StartsWith($"asyncpool-{Environment.MachineName}/{Environment.ProcessId}-", identity.Id, StringComparison.Ordinal);
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
