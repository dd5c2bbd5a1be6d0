using System.Text.Json.Nodes;

namespace Neutrino.Embeddings.Import;

/// <summary>One TensorFlow node of a TensorFlow.js graph model (<c>model.json</c>).</summary>
internal sealed record TfNode(string Name, string Op, IReadOnlyList<string> Inputs, JsonObject Attributes)
{
    public long Int(string attribute, long fallback = 0) =>
        Attributes[attribute]?["i"] is { } value ? long.Parse(value.ToString(), System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public bool Bool(string attribute) => Attributes[attribute]?["b"]?.GetValue<bool>() ?? false;

    public long[] Ints(string attribute) =>
        Attributes[attribute]?["list"]?["i"] is JsonArray values
            ? [.. values.Select(v => long.Parse(v!.ToString(), System.Globalization.CultureInfo.InvariantCulture))]
            : [];

    /// <summary>A string attribute (stored as a list of byte values).</summary>
    public string Text(string attribute) =>
        Attributes[attribute]?["s"] switch
        {
            JsonArray bytes => System.Text.Encoding.UTF8.GetString([.. bytes.Select(b => (byte)b!.GetValue<int>())]),
            JsonValue text => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(text.GetValue<string>())),
            _ => "",
        };

    /// <summary>A TensorFlow DataType attribute (numeric enum or its "DT_…" name).</summary>
    public int DataType(string attribute) =>
        Attributes[attribute]?["type"] switch
        {
            JsonValue value when value.TryGetValue<int>(out var code) => code,
            JsonValue value => value.GetValue<string>() switch
            {
                "DT_FLOAT" => TfDataType.Float,
                "DT_INT32" => TfDataType.Int32,
                "DT_INT64" => TfDataType.Int64,
                "DT_BOOL" => TfDataType.Bool,
                var other => throw new NotSupportedException($"Node '{Name}': data type {other} is not supported."),
            },
            _ => -1,
        };
}

/// <summary>The TensorFlow DataType codes the importer understands.</summary>
internal static class TfDataType
{
    public const int Float = 1;
    public const int Int32 = 3;
    public const int Int64 = 9;
    public const int Bool = 10;
}

/// <summary>A weight from the weights manifest: its values, widened to float or int64.</summary>
internal sealed record TfWeight(string Name, long[] Shape, float[]? Floats, long[]? Ints);

/// <summary>A TensorFlow.js graph model: its nodes in order and its weights, read from the shards.</summary>
internal sealed class TfjsGraph
{
    private TfjsGraph(IReadOnlyList<TfNode> nodes, IReadOnlyDictionary<string, TfWeight> weights)
    {
        Nodes = nodes;
        Weights = weights;
    }

    public IReadOnlyList<TfNode> Nodes { get; }

    public IReadOnlyDictionary<string, TfWeight> Weights { get; }

    public static TfjsGraph Load(string modelJsonPath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(modelJsonPath))!;
        var model = JsonNode.Parse(File.ReadAllText(modelJsonPath))?.AsObject()
            ?? throw new InvalidDataException($"{modelJsonPath} is not a JSON object.");
        var topology = model["modelTopology"]?["node"] as JsonArray
            ?? throw new InvalidDataException($"{modelJsonPath} has no modelTopology.node: not a TensorFlow.js graph model.");
        var nodes = topology.Select(n => new TfNode(
            n!["name"]!.GetValue<string>(),
            n["op"]!.GetValue<string>(),
            [.. (n["input"] as JsonArray ?? []).Select(i => i!.GetValue<string>())],
            n["attr"] as JsonObject ?? [])).ToList();

        var weights = new Dictionary<string, TfWeight>();
        foreach (var group in model["weightsManifest"] as JsonArray ?? [])
        {
            var bytes = group!["paths"]!.AsArray().SelectMany(p => File.ReadAllBytes(Path.Combine(directory, p!.GetValue<string>()))).ToArray();
            var offset = 0;
            foreach (var spec in group["weights"]!.AsArray())
            {
                var name = spec!["name"]!.GetValue<string>();
                var shape = spec["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var count = (int)shape.Aggregate(1L, (a, b) => a * b);
                if (spec["quantization"] is not null)
                {
                    throw new NotSupportedException($"Weight '{name}' is quantized; only float32 and int32 weights are supported.");
                }
                var size = count * 4;
                if (offset + size > bytes.Length)
                {
                    throw new InvalidDataException($"Weight '{name}' runs past the end of its shards.");
                }
                var span = bytes.AsSpan(offset, size);
                weights[name] = spec["dtype"]!.GetValue<string>() switch
                {
                    "float32" => new TfWeight(name, shape, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(span).ToArray(), null),
                    "int32" => new TfWeight(name, shape, null, [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(span).ToArray().Select(v => (long)v)]),
                    var other => throw new NotSupportedException($"Weight '{name}' has dtype {other}; only float32 and int32 are supported."),
                };
                offset += size;
            }
            if (offset != bytes.Length)
            {
                throw new InvalidDataException($"The shards hold {bytes.Length} bytes but the manifest describes {offset}.");
            }
        }
        return new TfjsGraph(nodes, weights);
    }
}
