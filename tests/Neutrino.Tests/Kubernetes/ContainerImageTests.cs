using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.ML.OnnxRuntime;
using static Neutrino.Tests.Kubernetes.RenderedOverlay;

namespace Neutrino.Tests.Kubernetes;

/// <summary>The images the overlays run are the ones <c>dotnet publish -t:PublishContainer</c> makes of each project.</summary>
public sealed class ContainerImageTests
{
    [Theory]
    [MemberData(nameof(All), MemberType = typeof(RenderedOverlay))]
    public async Task Every_deployed_project_runs_the_image_its_project_file_publishes(string overlay)
    {
        var rendered = await OfAsync(overlay);
        var deployed = AspireManifest.OfType("project.v0").Where(p => p != "models").ToList();

        Assert.NotEmpty(deployed);
        foreach (var project in deployed)
        {
            var workload = rendered.Find("Deployment", project) ?? rendered.Get("Job", project);
            var repository = ContainerRepository(project);
            var image = (string?)MainContainer(workload)["image"];
            // The overlay may put a registry in front and must give a tag; the repository is the project's.
            Assert.True(image is not null && Regex.IsMatch(image, $"^([^/]+\\.[^/]+/)?{Regex.Escape(repository)}:[A-Za-z0-9_.-]+$"),
                $"{overlay}: {project} runs {image}, not {repository} as its project file publishes it");
        }
    }

    [Fact]
    public void The_gpu_pool_is_built_with_the_CUDA_build_of_ONNX_Runtime()
    {
        // The Embeddings project the gpu pool is built from is built here as `dotnet publish` builds it: the
        // ONNX Runtime it links must have the CUDA provider the gpu pool's Deployment asks for.
        Assert.Contains("CUDAExecutionProvider", OrtEnv.Instance().GetAvailableProviders());
    }

    /// <summary>The ContainerRepository of the project file the Aspire manifest names for <paramref name="project"/>.</summary>
    private static string ContainerRepository(string project)
    {
        var path = Path.GetFullPath(Path.Combine(KubernetesTools.RepositoryRoot, "deploy", (string)AspireManifest.Resource(project)["path"]!));
        var repository = XDocument.Load(path).Descendants("ContainerRepository").SingleOrDefault()?.Value;
        Assert.True(repository is { Length: > 0 }, $"{path} sets no ContainerRepository");
        return repository;
    }
}
