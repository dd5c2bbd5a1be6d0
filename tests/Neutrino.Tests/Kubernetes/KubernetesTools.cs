using System.Diagnostics;
using System.Reflection;

namespace Neutrino.Tests.Kubernetes;

/// <summary>The programs the Kubernetes tests run: kubectl (its kustomize), npm and node, each bounded in time.</summary>
internal static class KubernetesTools
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);
    private static readonly Lazy<Task> ValidatorInstalled = new(InstallValidatorAsync);

    public static string RepositoryRoot { get; } = typeof(KubernetesTools).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "Neutrino.RepositoryRoot").Value!;

    public static string KubernetesDirectory => Path.Combine(RepositoryRoot, "deploy", "kubernetes");

    /// <summary>
    /// kubectl from PATH, or the one NEUTRINO_KUBECTL names (to render with another kustomize: Debian's kubectl 1.20
    /// embeds kustomize v2.0.3, current ones v5, and the overlays are written for both).
    /// </summary>
    private static string Kubectl => Environment.GetEnvironmentVariable("NEUTRINO_KUBECTL") is { Length: > 0 } path ? path : "kubectl";

    private static string ValidatorDirectory => Path.Combine(RepositoryRoot, "tests", "kubernetes-validation");

    /// <summary>The overlay's objects as YAML, as <c>kubectl apply -k</c> would send them.</summary>
    public static async Task<string> KustomizeAsync(string directory)
    {
        var (code, output, errors) = await RunAsync(Kubectl, ["kustomize", directory], workingDirectory: RepositoryRoot);
        Assert.True(code == 0, $"{Kubectl} kustomize {directory} failed ({code}):\n{errors}");
        return output;
    }

    /// <summary>What tests/kubernetes-validation/validate.mjs makes of <paramref name="yaml"/>: its JSON report.</summary>
    public static async Task<string> ValidateAsync(string yaml)
    {
        await ValidatorInstalled.Value;
        var (code, output, errors) = await RunAsync("node", ["validate.mjs"], workingDirectory: ValidatorDirectory, input: yaml);
        Assert.True(code == 0, $"the schema validator failed ({code}):\n{errors}");
        return output;
    }

    // A clean checkout has no node_modules: install exactly what the committed lock file names.
    private static async Task InstallValidatorAsync()
    {
        if (Directory.Exists(Path.Combine(ValidatorDirectory, "node_modules")))
        {
            return;
        }
        var (code, output, errors) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], workingDirectory: ValidatorDirectory);
        Assert.True(code == 0, $"npm ci in {ValidatorDirectory} failed ({code}):\n{output}{errors}");
    }

    private static async Task<(int Code, string Output, string Errors)> RunAsync(
        string fileName, IReadOnlyList<string> arguments, string workingDirectory, string? input = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"{fileName} is not installed. kubectl: apt-get install kubernetes-client; node and npm: apt-get install npm.", ex);
        }
        using (process)
        using (var deadline = new CancellationTokenSource(Bound))
        {
            var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
            var errors = process.StandardError.ReadToEndAsync(deadline.Token);
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), deadline.Token);
                process.StandardInput.Close();
            }
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {Bound}.");
            }
            return (process.ExitCode, await output, await errors);
        }
    }
}
