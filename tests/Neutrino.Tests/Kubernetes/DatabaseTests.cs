using static Neutrino.Tests.Kubernetes.RenderedOverlay;

namespace Neutrino.Tests.Kubernetes;

/// <summary>dev runs PostgreSQL in the cluster; production reaches an external one by the connection string in its Secret.</summary>
public sealed class DatabaseTests
{
    [Fact]
    public async Task Dev_runs_PostgreSQL_as_a_StatefulSet_on_a_volume_with_the_Aspire_manifests_settings()
    {
        var rendered = await OfAsync("dev");
        var postgres = rendered.Get("StatefulSet", "postgres");
        var container = MainContainer(postgres);
        var env = container["env"]!.AsArray().Select(e => (string)e!["name"]!).ToHashSet();

        Assert.Equal(1, (int?)postgres["spec"]!["replicas"]);
        var claim = Assert.Single(postgres["spec"]!["volumeClaimTemplates"]!.AsArray())!;
        var target = (string?)AspireManifest.Resource("postgres")["volumes"]![0]!["target"];
        Assert.Contains(container["volumeMounts"]!.AsArray(), m => (string?)m!["name"] == (string?)claim["metadata"]!["name"] && (string?)m["mountPath"] == target);
        Assert.Superset(AspireManifest.Resource("postgres")["env"]!.AsObject().Select(e => e.Key).ToHashSet(), env);
    }

    [Fact]
    public async Task Production_runs_no_database_and_reads_its_connection_string_from_a_Secret_it_does_not_make()
    {
        var rendered = await OfAsync("production");

        Assert.Null(rendered.Find("StatefulSet", "postgres"));
        Assert.Null(rendered.Find("Service", "postgres"));
        Assert.All(Services.Select(s => rendered.Get("Deployment", s)).Append(rendered.Get("Job", "migrations")), workload =>
            Assert.Equal("neutrino-postgres", (string?)MainContainer(workload)["env"]!.AsArray()
                .Single(e => (string?)e!["name"] == "ConnectionStrings__neutrino")!["valueFrom"]?["secretKeyRef"]?["name"]));
    }
}
