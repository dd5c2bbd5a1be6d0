using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Neutrino.Bench;

/// <summary>Runs <c>bench/Neutrino.Bench.Onnx</c> built with one ONNX Runtime build, and reads what it measured.</summary>
internal static class RawOnnx
{
    public sealed record Rows(double TokensPerSentence, string Layout, SortedDictionary<int, double> PerSecond);

    private static string RepositoryRoot { get; } = typeof(RawOnnx).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "Neutrino.RepositoryRoot").Value!;

    /// <param name="build"><c>Cuda</c> or <c>Cpu</c>: the <c>OnnxRuntimeBuild</c> property it is built with (each in its own output folders).</param>
    public static async Task<Rows> RunAsync(string build, string modelsDirectory)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "run", "-c", "Release", $"-p:OnnxRuntimeBuild={build}", "--project", Path.Combine(RepositoryRoot, "bench", "Neutrino.Bench.Onnx"), "--", modelsDirectory,
        })
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the raw ONNX benchmark ({build} build) failed: {await output}{await errors}");
        }
        // Its last lines: "tokens <mean>", "layout <text>", then "batch <size> <sentences per second>".
        double tokens = 0;
        var layout = "";
        var perSecond = new SortedDictionary<int, double>();
        foreach (var line in (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var words = line.Split(' ', 3);
            switch (words[0])
            {
                case "tokens":
                    tokens = double.Parse(words[1], CultureInfo.InvariantCulture);
                    break;
                case "layout":
                    layout = line["layout ".Length..];
                    break;
                case "batch":
                    perSecond[int.Parse(words[1], CultureInfo.InvariantCulture)] = double.Parse(words[2], CultureInfo.InvariantCulture);
                    break;
            }
        }
        return new Rows(tokens, layout, perSecond);
    }
}
