using Google.Protobuf;

namespace Neutrino.Embeddings.Onnx;

/// <summary>Element types Neutrino's graphs use, with their ONNX codes.</summary>
internal enum OnnxType
{
    Float = TensorProto.Types.DataType.Float,
    Int64 = TensorProto.Types.DataType.Int64,
    Bool = TensorProto.Types.DataType.Bool,
}

/// <summary>Builds an ONNX graph node by node, naming the intermediate values it creates.</summary>
internal sealed class OnnxGraphBuilder(string name)
{
    /// <summary>The default-domain opset the graphs target (ONNX Runtime 1.16 and later run it).</summary>
    public const int Opset = 18;

    private readonly GraphProto _graph = new() { Name = name };
    private int _next;

    public void AddInput(string name, OnnxType type, params long[] shape) => _graph.Input.Add(ValueInfo(name, type, shape));

    public void AddOutput(string name, OnnxType type, params long[] shape) => _graph.Output.Add(ValueInfo(name, type, shape));

    /// <summary>Adds a node and returns the names of its outputs (fresh names unless given).</summary>
    public string[] Node(string opType, string[] inputs, int outputs = 1, string[]? outputNames = null, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_next}" };
        node.Input.AddRange(inputs);
        var names = outputNames ?? Enumerable.Range(0, outputs).Select(i => $"{opType.ToLowerInvariant()}_{_next}_{i}").ToArray();
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        _next++;
        _graph.Node.Add(node);
        return names;
    }

    public string Node1(string opType, params string[] inputs) => Node(opType, inputs)[0];

    public string Float(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)OnnxType.Float, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values)) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    public string Int64(string name, ReadOnlySpan<long> values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)OnnxType.Int64, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values)) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A fresh 1-D int64 constant (axes, starts, shapes).</summary>
    public string Int64s(params long[] values) => Int64($"const_{_next++}", values, values.Length);

    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attr(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Attr(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Attr(string name, TensorProto value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    public ModelProto ToModel(string producer, string docString, IReadOnlyDictionary<string, string>? metadata = null)
    {
        // Constants only the source graph's structure used (folded into attributes here) are dropped.
        var used = _graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        var unused = _graph.Initializer.Where(t => !used.Contains(t.Name)).ToList();
        foreach (var tensor in unused)
        {
            _graph.Initializer.Remove(tensor);
        }
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = producer,
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "",
            DocString = docString,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        return model;
    }

    private static ValueInfoProto ValueInfo(string name, OnnxType type, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        for (var i = 0; i < shape.Length; i++)
        {
            tensorShape.Dim.Add(shape[i] >= 0
                ? new TensorShapeProto.Types.Dimension { DimValue = shape[i] }
                : new TensorShapeProto.Types.Dimension { DimParam = $"{name}_dim{i}" });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
    }
}
