using Google.Protobuf;

namespace Neutrino.Embeddings.Import;

/// <summary>Turns a TensorFlow.js graph model (<c>model.json</c> and its weight shards) into an ONNX file.</summary>
public static class TfjsModelImporter
{
    /// <summary>
    /// Translates the graph in <paramref name="modelJsonPath"/> and writes it to <paramref name="onnxPath"/>,
    /// with <paramref name="outputNode"/>'s value as the model's output <paramref name="outputName"/>.
    /// </summary>
    public static void Import(string modelJsonPath, string outputNode, string outputName, string onnxPath, string description)
    {
        var model = TfjsToOnnx.Convert(TfjsGraph.Load(modelJsonPath), outputNode, outputName, description);
        var temporary = onnxPath + ".partial";
        using (var file = File.Create(temporary))
        {
            model.WriteTo(file);
        }
        File.Move(temporary, onnxPath, overwrite: true);
    }
}
