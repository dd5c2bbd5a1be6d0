using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Neutrino.Core.Workers;
using static Neutrino.Tests.Kubernetes.RenderedOverlay;

namespace Neutrino.Tests.Kubernetes;

/// <summary>What every workload must have to run well under Kubernetes: probes, resources, a non-root user, time to drain.</summary>
public sealed class WorkloadTests
{
    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_service_is_ready_on_health_and_alive_on_alive_at_its_http_port(string overlay)
    {
        var rendered = await OfAsync(overlay);
        foreach (var service in Services)
        {
            var container = MainContainer(rendered.Get("Deployment", service));
            var http = container["ports"]!.AsArray().Single(p => (string?)p!["name"] == "http")!;
            var port = (int)http["containerPort"]!;
            AssertProbe(service, "readinessProbe", container, "/health", port);
            AssertProbe(service, "livenessProbe", container, "/alive", port);
        }
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_container_asks_for_cpu_and_memory_and_is_limited_in_both(string overlay)
    {
        var rendered = await OfAsync(overlay);
        Assert.NotEmpty(rendered.Workloads());
        foreach (var workload in rendered.Workloads())
        {
            foreach (var container in Containers(workload))
            {
                var what = $"{overlay}: {KindOf(workload)} {NameOf(workload)}, container {container["name"]}";
                foreach (var kind in new[] { "requests", "limits" })
                {
                    foreach (var resource in new[] { "cpu", "memory" })
                    {
                        Assert.True(container["resources"]?[kind]?[resource] is not null, $"{what} has no {resource} {kind}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_container_runs_as_a_user_other_than_root_without_privileges(string overlay)
    {
        var rendered = await OfAsync(overlay);
        foreach (var workload in rendered.Workloads())
        {
            var pod = PodSpec(workload)["securityContext"];
            foreach (var container in Containers(workload))
            {
                var what = $"{overlay}: {KindOf(workload)} {NameOf(workload)}, container {container["name"]}";
                var own = container["securityContext"];
                Assert.True(((bool?)own?["runAsNonRoot"] ?? (bool?)pod?["runAsNonRoot"]) == true, $"{what} may run as root (runAsNonRoot)");
                // The kubelet can only prove an image's user is not root by its number: the SDK's images name theirs.
                Assert.True(((long?)own?["runAsUser"] ?? (long?)pod?["runAsUser"]) > 0, $"{what} names no user id above 0 (runAsUser)");
                Assert.True((bool?)own?["allowPrivilegeEscalation"] == false, $"{what} allows privilege escalation");
                Assert.True(own?["capabilities"]?["drop"]?.AsArray().Any(c => (string?)c == "ALL") == true, $"{what} keeps its capabilities (drop ALL)");
            }
            Assert.True((bool?)PodSpec(workload)["automountServiceAccountToken"] == false,
                $"{overlay}: {KindOf(workload)} {NameOf(workload)} mounts a service account token it never uses");
        }
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_service_is_given_longer_to_stop_than_the_worker_drains_and_the_host_shuts_down(string overlay)
    {
        var rendered = await OfAsync(overlay);
        var drain = new WorkerOptions().DrainTimeout;
        var hostShutdown = new HostOptions().ShutdownTimeout;
        foreach (var service in Services)
        {
            var deployment = rendered.Get("Deployment", service);
            var grace = TimeSpan.FromSeconds((int?)PodSpec(deployment)["terminationGracePeriodSeconds"] ?? 30);
            // The preStop pause runs before SIGTERM and counts against the grace period.
            var pause = TimeSpan.FromSeconds((int?)MainContainer(deployment)["lifecycle"]?["preStop"]?["sleep"]?["seconds"] ?? 0);
            Assert.True(grace > pause + drain, $"{overlay}: {service} is killed {grace} after SIGTERM, before its {pause} pause and {drain} drain are over");
            Assert.True(grace > pause + hostShutdown, $"{overlay}: {service} is killed {grace} after SIGTERM, before its {pause} pause and the host's {hostShutdown} shutdown timeout");
        }
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task The_gateway_runs_at_least_two_replicas(string overlay)
    {
        var rendered = await OfAsync(overlay);
        Assert.True(Scaling.Replicas(rendered, rendered.Get("Deployment", "gateway")).Min >= 2, $"{overlay}: the gateway runs fewer than 2 replicas");
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_workload_that_may_run_more_than_one_replica_has_a_disruption_budget_that_lets_a_node_drain(string overlay)
    {
        var rendered = await OfAsync(overlay);
        foreach (var workload in rendered.Workloads().Where(w => KindOf(w) != "Job"))
        {
            var (min, max) = Scaling.Replicas(rendered, workload);
            var budgets = rendered.OfKind("PodDisruptionBudget").Where(b => Scaling.Selects(b["spec"]!["selector"], PodLabels(workload))).ToList();
            var what = $"{overlay}: {KindOf(workload)} {NameOf(workload)} ({min}-{max} replicas)";
            if (max <= 1)
            {
                // A budget on a single replica either blocks every drain or promises nothing.
                Assert.True(budgets.Count == 0, $"{what} has a disruption budget on a single replica");
                continue;
            }
            var budget = Assert.Single(budgets);
            var spec = budget["spec"]!;
            if (spec["minAvailable"] is { } minAvailable)
            {
                Assert.True((int)minAvailable < Math.Max(min, 1), $"{what}: minAvailable {minAvailable} leaves no pod to evict");
            }
            else
            {
                Assert.True((int?)spec["maxUnavailable"] >= 1, $"{what}: maxUnavailable must let at least one pod go");
            }
        }
    }

    private static void AssertProbe(string service, string probe, JsonObject container, string path, int port)
    {
        var get = container[probe]?["httpGet"];
        Assert.True(get is not null, $"{service} has no HTTP {probe}");
        Assert.Equal(path, (string?)get["path"]);
        var declared = get["port"]!;
        var resolved = declared.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? (int?)container["ports"]!.AsArray().SingleOrDefault(p => (string?)p!["name"] == (string)declared!)?["containerPort"]
            : (int)declared;
        Assert.True(resolved == port, $"{service}'s {probe} asks port {declared}, not its http port {port}");
    }
}
