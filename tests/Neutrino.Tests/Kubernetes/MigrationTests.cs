using Neutrino.Core.Storage;
using static Neutrino.Tests.Kubernetes.RenderedOverlay;

namespace Neutrino.Tests.Kubernetes;

/// <summary>The migrations run once, as a Job; every service waits, in an init container, until the schema they bring is there.</summary>
public sealed class MigrationTests
{
    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task The_migrations_are_a_Job_that_runs_the_migrator_until_it_succeeds(string overlay)
    {
        var rendered = await OfAsync(overlay);
        var job = rendered.Get("Job", "migrations");
        var container = MainContainer(job);

        Assert.Matches("(^|/)neutrino/migrations(:|$)", (string?)container["image"]);
        Assert.Equal("OnFailure", (string?)PodSpec(job)["restartPolicy"]);
        Assert.True((int?)job["spec"]!["backoffLimit"] > 0, $"{overlay}: the migrations are not retried while PostgreSQL starts");
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_service_waits_for_this_builds_latest_migration_in_the_database_it_uses(string overlay)
    {
        var rendered = await OfAsync(overlay);
        var script = await File.ReadAllTextAsync(Path.Combine(KubernetesTools.KubernetesDirectory, "base", "wait-for-schema.sh"));
        foreach (var service in Services)
        {
            var deployment = rendered.Get("Deployment", service);
            var wait = Assert.Single(PodSpec(deployment)["initContainers"]!.AsArray(), c => (string?)c!["name"] == "wait-for-schema")!;
            var env = wait["env"]!.AsArray();

            var migration = env.Single(e => (string?)e!["name"] == "NEUTRINO_MIGRATION")!["valueFrom"]!["configMapKeyRef"]!;
            var expected = (string?)rendered.Get("ConfigMap", (string)migration["name"]!)["data"]![(string)migration["key"]!];
            Assert.True(expected == TaskStoreSchema.LatestMigration,
                $"{overlay}: {service} waits for migration {expected}, but this build's latest is {TaskStoreSchema.LatestMigration}: set latest-migration in deploy/kubernetes/base/kustomization.yaml");

            var connection = env.Single(e => (string?)e!["name"] == "NEUTRINO_CONNECTION")!["valueFrom"]!.ToJsonString();
            var used = MainContainer(deployment)["env"]!.AsArray().Single(e => (string?)e!["name"] == $"ConnectionStrings__{TaskStoreSchema.ConnectionName}")!["valueFrom"]!.ToJsonString();
            Assert.Equal(used, connection);

            // The script it runs is the committed one, mounted from the ConfigMap kustomize makes of it.
            var command = string.Join(' ', wait["command"]!.AsArray().Select(c => (string?)c));
            var mount = wait["volumeMounts"]!.AsArray().Single(m => command.Contains((string)m!["mountPath"]!, StringComparison.Ordinal))!;
            var volume = PodSpec(deployment)["volumes"]!.AsArray().Single(v => (string?)v!["name"] == (string?)mount["name"])!;
            Assert.Equal(script, (string?)rendered.Get("ConfigMap", (string)volume["configMap"]!["name"]!)["data"]!["wait-for-schema.sh"]);
        }
    }
}
