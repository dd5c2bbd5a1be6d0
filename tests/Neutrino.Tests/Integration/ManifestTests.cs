using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;

namespace Neutrino.Tests.Integration;

/// <summary>The Aspire manifest in <c>deploy/</c> is what the AppHost publishes today: what aspirate and azd deploy.</summary>
public sealed class ManifestTests
{
    private static readonly string RepositoryRoot = typeof(ManifestTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "Neutrino.RepositoryRoot").Value!;

    private static readonly string Configuration = typeof(ManifestTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;

    private static readonly string[] Services = ["migrations", "models", "fastpool", "asyncpool", "gpupool", "gateway", "dashboard"];
    private static readonly string[] Servers = ["postgres", "nats"];
    private static readonly string[] Secrets = ["api-key", "postgres-password", "nats-password"];

    private static string Committed => Path.Combine(RepositoryRoot, "deploy", "aspire-manifest.json");

    [Fact]
    public async Task The_committed_manifest_is_what_the_AppHost_publishes()
    {
        var output = Path.Combine(Path.GetTempPath(), $"neutrino-manifest-{Guid.NewGuid():N}.json");
        try
        {
            var (code, log) = await RunAsync("dotnet", "run", "--no-build", "--no-launch-profile", "-c", Configuration,
                "--project", Path.Combine(RepositoryRoot, "AppHost"), "--", "--publisher", "manifest", "--output-path", output);
            Assert.True(code == 0, $"publishing the manifest failed ({code}):\n{log}");

            // Project paths are written relative to the manifest: compare them where they point.
            var published = Normalized(output);
            var committed = Normalized(Committed);
            Assert.True(JsonNode.DeepEquals(committed, published),
                "deploy/aspire-manifest.json is out of date. Write it again with:\n" +
                "  dotnet run --project AppHost -- --publisher manifest --output-path $PWD/deploy/aspire-manifest.json\n" +
                $"What the AppHost publishes now:\n{published}");
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void The_manifest_holds_no_local_path_port_or_host_of_a_run_here()
    {
        var text = File.ReadAllText(Committed);
        Assert.DoesNotContain(RepositoryRoot, text, StringComparison.Ordinal);
        Assert.DoesNotContain("localhost", text, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
        var resources = JsonNode.Parse(text)!["resources"]!.AsObject();
        foreach (var (name, resource) in resources)
        {
            foreach (var (_, binding) in resource!["bindings"]?.AsObject() ?? [])
            {
                Assert.True(binding!["port"] is null, $"{name} publishes a fixed port: a run-mode port leaked into the manifest");
            }
        }
        // Every service is a project, the servers are containers, and every secret is a parameter.
        Assert.All(Services,
            name => Assert.Equal("project.v0", resources[name]!["type"]!.GetValue<string>()));
        Assert.All(Servers, name => Assert.Equal("container.v0", resources[name]!["type"]!.GetValue<string>()));
        Assert.All(Secrets, name =>
            Assert.True(resources[name]!["inputs"]!["value"]!["secret"]!.GetValue<bool>(), $"{name} is not a secret parameter"));
    }

    private static JsonNode Normalized(string file)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(file))!;
        foreach (var (_, resource) in manifest["resources"]!.AsObject())
        {
            if (resource!["path"] is { } path)
            {
                resource["path"] = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, path.GetValue<string>()));
            }
        }
        return manifest;
    }

    private static async Task<(int Code, string Log)> RunAsync(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output + await errors);
    }
}
