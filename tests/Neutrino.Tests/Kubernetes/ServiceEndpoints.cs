using System.Text.Json;
using System.Text.Json.Nodes;
using static Neutrino.Tests.Kubernetes.RenderedOverlay;

namespace Neutrino.Tests.Kubernetes;

/// <summary>Where a Service's ports lead: the container port of the pods it selects.</summary>
internal static class ServiceEndpoints
{
    /// <summary>The Service's port whose target is <paramref name="containerPort"/> on its pods, or null.</summary>
    public static int? PortFor(RenderedOverlay rendered, string service, int containerPort)
    {
        var spec = rendered.Get("Service", service)["spec"]!;
        var pods = SelectedWorkload(rendered, service);
        foreach (var port in spec["ports"]!.AsArray().Select(p => p!))
        {
            var target = port["targetPort"] ?? port["port"]!;
            var resolved = target.GetValueKind() == JsonValueKind.Number
                ? (int)target
                : Containers(pods, includeInit: false).SelectMany(c => c["ports"]?.AsArray() ?? [])
                    .Where(p => (string?)p!["name"] == (string)target!).Select(p => (int?)p!["containerPort"]).SingleOrDefault();
            if (resolved == containerPort)
            {
                return (int)port["port"]!;
            }
        }
        return null;
    }

    /// <summary>The one workload whose pods the Service selects.</summary>
    public static JsonObject SelectedWorkload(RenderedOverlay rendered, string service)
    {
        var selector = new JsonObject { ["matchLabels"] = rendered.Get("Service", service)["spec"]!["selector"]!.DeepClone() };
        var selected = rendered.Workloads().Where(w => Scaling.Selects(selector, PodLabels(w))).ToList();
        Assert.True(selected.Count == 1, $"{rendered}: Service {service} selects {selected.Count} workloads, not one");
        return selected[0];
    }

    /// <summary>The number of the named port of the workload's own container.</summary>
    public static int ContainerPort(JsonObject workload, string name) =>
        (int)MainContainer(workload)["ports"]!.AsArray().Single(p => (string?)p!["name"] == name)!["containerPort"]!;
}
