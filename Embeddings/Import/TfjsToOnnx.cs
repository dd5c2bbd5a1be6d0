using Neutrino.Embeddings.Onnx;
using static Neutrino.Embeddings.Onnx.OnnxGraphBuilder;

namespace Neutrino.Embeddings.Import;

/// <summary>
/// Translates a TensorFlow.js graph model into an ONNX graph, node by node. TensorFlow's int32
/// tensors become int64 (what ONNX takes for shapes, indices and axes), so every integer in the
/// graph has one type. Operands that steer the graph's structure (axes, permutations, slice
/// bounds) must be constants, as they are in exported inference graphs; anything else the
/// translator does not know is refused with the node's name, never guessed.
/// </summary>
internal sealed class TfjsToOnnx
{
    private readonly TfjsGraph _graph;
    private readonly OnnxGraphBuilder _onnx;
    private readonly Dictionary<string, OnnxType> _types = [];
    private readonly Dictionary<string, long[]> _constants = [];

    private TfjsToOnnx(TfjsGraph graph, string name)
    {
        _graph = graph;
        _onnx = new OnnxGraphBuilder(name);
    }

    /// <summary>Every TensorFlow op this translator handles.</summary>
    public static IReadOnlySet<string> SupportedOps { get; } = new HashSet<string>
    {
        "Const", "Placeholder", "Identity", "StridedSlice", "Slice", "Less", "Greater", "Add", "AddV2", "Sub", "Mul", "RealDiv",
        "Maximum", "Where", "Reshape", "GatherV2", "GatherNd", "Max", "Mean", "Sum", "Prod", "Shape", "Cast", "SparseToDense",
        "LogicalNot", "ConcatV2", "ScatterNd", "ExpandDims", "Square", "Rsqrt", "MatMul", "BatchMatMul", "BatchMatMulV2",
        "BiasAdd", "Conv2D", "Squeeze", "Pack", "SplitV", "Transpose", "Softmax", "Relu", "Tanh", "Sin", "Cos", "Range",
    };

    /// <summary>The ONNX model of <paramref name="graph"/>, with <paramref name="outputNode"/>'s value as output <paramref name="outputName"/>.</summary>
    public static ModelProto Convert(TfjsGraph graph, string outputNode, string outputName, string docString, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var unsupported = graph.Nodes.Select(n => n.Op).Where(op => !SupportedOps.Contains(op)).Distinct().ToList();
        if (unsupported.Count > 0)
        {
            throw new NotSupportedException($"The graph uses TensorFlow ops the importer does not translate: {string.Join(", ", unsupported)}.");
        }
        var converter = new TfjsToOnnx(graph, "tfjs_import");
        foreach (var node in graph.Nodes)
        {
            converter.Translate(node);
        }
        var output = converter.Ref(outputNode);
        converter._onnx.Node("Identity", [output], outputNames: [outputName]);
        converter._onnx.AddOutput(outputName, converter._types[output], -1, -1);
        return converter._onnx.ToModel("neutrino-tfjs-import", docString, metadata);
    }

    private void Translate(TfNode node)
    {
        var x = node.Inputs.Where(i => !i.StartsWith('^')).Select(Ref).ToArray();
        string Out(int index = 0) => $"{node.Name}:{index}";
        void Emit(string op, string[] inputs, OnnxType type, params AttributeProto[] attributes)
        {
            _onnx.Node(op, inputs, outputNames: [Out()], attributes: attributes);
            _types[Out()] = type;
        }

        switch (node.Op)
        {
            case "Const":
                TranslateConst(node);
                break;
            case "Placeholder":
                var inputType = TypeOf(node.DataType("dtype"));
                var shape = node.Attributes["shape"]?["shape"]?["dim"]?.AsArray().Select(d => long.Parse(d!["size"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture)).ToArray() ?? [];
                _onnx.AddInput(node.Name, inputType, shape);
                _onnx.Node("Identity", [node.Name], outputNames: [Out()]);
                _types[Out()] = inputType;
                break;
            case "Identity":
                Emit("Identity", [x[0]], _types[x[0]]);
                break;
            case "Add" or "AddV2" or "BiasAdd":
                Emit("Add", [x[0], x[1]], _types[x[0]]);
                break;
            case "Sub":
                Emit("Sub", [x[0], x[1]], _types[x[0]]);
                break;
            case "Mul":
                Emit("Mul", [x[0], x[1]], _types[x[0]]);
                break;
            case "RealDiv":
                Emit("Div", [x[0], x[1]], _types[x[0]]);
                break;
            case "Maximum":
                Emit("Max", [x[0], x[1]], _types[x[0]]);
                break;
            case "Less":
                Emit("Less", [x[0], x[1]], OnnxType.Bool);
                break;
            case "Greater":
                Emit("Greater", [x[0], x[1]], OnnxType.Bool);
                break;
            case "LogicalNot":
                Emit("Not", [x[0]], OnnxType.Bool);
                break;
            case "Square":
                Emit("Mul", [x[0], x[0]], _types[x[0]]);
                break;
            case "Rsqrt":
                Emit("Reciprocal", [_onnx.Node1("Sqrt", x[0])], _types[x[0]]);
                break;
            case "Relu" or "Tanh" or "Sin" or "Cos":
                Emit(node.Op, [x[0]], _types[x[0]]);
                break;
            case "Softmax":
                Emit("Softmax", [x[0]], _types[x[0]], Attr("axis", -1L));
                break;
            case "Shape":
                Emit("Shape", [x[0]], OnnxType.Int64);
                break;
            case "Cast":
                var to = TypeOf(node.DataType("DstT"));
                if (to == _types[x[0]])
                {
                    Emit("Identity", [x[0]], to);
                }
                else
                {
                    Emit("Cast", [x[0]], to, Attr("to", (long)to));
                }
                break;
            case "Where":
                if (x.Length != 1)
                {
                    throw Unsupported(node, "only the one-input form (coordinates of true elements) is supported");
                }
                // TensorFlow answers [count, rank]; ONNX's NonZero answers [rank, count].
                Emit("Transpose", [_onnx.Node1("NonZero", x[0])], OnnxType.Int64, Attr("perm", [1L, 0L]));
                break;
            case "Reshape":
                Emit("Reshape", [x[0], x[1]], _types[x[0]]);
                break;
            case "GatherV2":
                if (node.Int("batch_dims") != 0)
                {
                    throw Unsupported(node, "batch_dims must be 0");
                }
                Emit("Gather", [x[0], x[1]], _types[x[0]], Attr("axis", Scalar(node, 2)));
                break;
            case "GatherNd":
                Emit("GatherND", [x[0], x[1]], _types[x[0]]);
                break;
            case "Max" or "Mean" or "Sum" or "Prod":
                Emit($"Reduce{node.Op}", [x[0], _onnx.Int64s(Constant(node, 1))], _types[x[0]], Attr("keepdims", node.Bool("keep_dims") ? 1L : 0L));
                break;
            case "ConcatV2":
                Emit("Concat", x[..^1], _types[x[0]], Attr("axis", Scalar(node, x.Length - 1)));
                break;
            case "ExpandDims":
                Emit("Unsqueeze", [x[0], _onnx.Int64s(Constant(node, 1))], _types[x[0]]);
                break;
            case "Squeeze":
                var dims = node.Ints("squeeze_dims");
                Emit("Squeeze", dims.Length == 0 ? [x[0]] : [x[0], _onnx.Int64s(dims)], _types[x[0]]);
                break;
            case "Pack":
                var axis = node.Int("axis");
                var parts = x.Select(v => _onnx.Node1("Unsqueeze", v, _onnx.Int64s(axis))).ToArray();
                Emit("Concat", parts, _types[x[0]], Attr("axis", axis));
                break;
            case "Transpose":
                Emit("Transpose", [x[0]], _types[x[0]], Attr("perm", Constant(node, 1)));
                break;
            case "SplitV":
                var sizes = Constant(node, 1);
                if (sizes.Any(s => s < 0))
                {
                    throw Unsupported(node, "size_splits must be known (no -1)");
                }
                var outputs = Enumerable.Range(0, sizes.Length).Select(i => Out(i)).ToArray();
                _onnx.Node("Split", [x[0], _onnx.Int64s(sizes)], outputNames: outputs, attributes: Attr("axis", Scalar(node, 2)));
                foreach (var output in outputs)
                {
                    _types[output] = _types[x[0]];
                }
                break;
            case "StridedSlice":
                TranslateStridedSlice(node, x[0]);
                break;
            case "Slice":
                var begin = Constant(node, 1);
                var size = Constant(node, 2);
                var ends = begin.Zip(size, (b, s) => s < 0 ? long.MaxValue : b + s).ToArray();
                Emit("Slice", [x[0], _onnx.Int64s(begin), _onnx.Int64s(ends)], _types[x[0]]);
                break;
            case "MatMul":
                // TensorFlow's MatMul is two-dimensional.
                Emit("MatMul", [Transposed(x[0], node.Bool("transpose_a")), Transposed(x[1], node.Bool("transpose_b"))], _types[x[0]]);
                break;
            case "BatchMatMul" or "BatchMatMulV2":
                Emit("MatMul", [SwapLastTwo(x[0], node.Bool("adj_x")), SwapLastTwo(x[1], node.Bool("adj_y"))], _types[x[0]]);
                break;
            case "Conv2D":
                TranslatePointwiseConv(node, x[0]);
                break;
            case "ScatterNd":
                // Updates scattered into zeros of the given shape.
                var zeros = _onnx.Node("ConstantOfShape", [x[2]], attributes: Attr("value", ZeroOf(_types[x[1]])))[0];
                Emit("ScatterND", [zeros, x[0], x[1]], _types[x[1]]);
                break;
            case "SparseToDense":
                // Values scattered into the default value expanded to the dense shape.
                var dense = _onnx.Node1("Expand", x[3], x[1]);
                Emit("ScatterND", [dense, x[0], x[2]], _types[x[2]]);
                break;
            case "Range":
                Emit("Range", [x[0], x[1], x[2]], _types[x[0]]);
                break;
            default:
                throw Unsupported(node, "no translation");
        }
    }

    private void TranslateConst(TfNode node)
    {
        if (!_graph.Weights.TryGetValue(node.Name, out var weight))
        {
            throw Unsupported(node, "its value is not in the weights manifest");
        }
        var name = $"{node.Name}:0";
        if (weight.Floats is { } floats)
        {
            _onnx.Float(name, floats, weight.Shape);
            _types[name] = OnnxType.Float;
        }
        else
        {
            _onnx.Int64(name, weight.Ints, weight.Shape);
            _types[name] = OnnxType.Int64;
            _constants[name] = weight.Ints!;
        }
    }

    private void TranslateStridedSlice(TfNode node, string input)
    {
        if (node.Int("ellipsis_mask") != 0 || node.Int("new_axis_mask") != 0)
        {
            throw Unsupported(node, "ellipsis and new-axis masks are not supported");
        }
        var begin = Constant(node, 1);
        var end = Constant(node, 2);
        var strides = Constant(node, 3);
        long beginMask = node.Int("begin_mask"), endMask = node.Int("end_mask"), shrinkMask = node.Int("shrink_axis_mask");
        var starts = new long[begin.Length];
        var ends = new long[begin.Length];
        var steps = new long[begin.Length];
        var shrink = new List<long>();
        for (var i = 0; i < begin.Length; i++)
        {
            var bit = 1L << i;
            steps[i] = strides[i];
            starts[i] = (beginMask & bit) != 0 ? (strides[i] > 0 ? 0 : long.MaxValue) : begin[i];
            ends[i] = (endMask & bit) != 0 ? (strides[i] > 0 ? long.MaxValue : long.MinValue) : end[i];
            if ((shrinkMask & bit) != 0)
            {
                // One element at begin, and the axis goes.
                starts[i] = begin[i];
                ends[i] = begin[i] == -1 ? long.MaxValue : begin[i] + 1;
                steps[i] = 1;
                shrink.Add(i);
            }
        }
        var axes = Enumerable.Range(0, begin.Length).Select(i => (long)i).ToArray();
        var sliced = _onnx.Node1("Slice", input, _onnx.Int64s(starts), _onnx.Int64s(ends), _onnx.Int64s(axes), _onnx.Int64s(steps));
        var output = $"{node.Name}:0";
        _onnx.Node(shrink.Count > 0 ? "Squeeze" : "Identity", shrink.Count > 0 ? [sliced, _onnx.Int64s([.. shrink])] : [sliced], outputNames: [output]);
        _types[output] = _types[input];
    }

    /// <summary>A 1×1 convolution with unit strides is a matrix product over the channel axis (NHWC).</summary>
    private void TranslatePointwiseConv(TfNode node, string input)
    {
        var filterName = node.Inputs[1];
        var filter = _graph.Weights.GetValueOrDefault(filterName);
        if (filter is null || filter.Floats is null || filter.Shape is not [1, 1, var inChannels, var outChannels]
            || node.Ints("strides").Any(s => s != 1) || node.Ints("dilations").Any(d => d != 1)
            || node.Text("data_format") is not ("NHWC" or ""))
        {
            throw Unsupported(node, "only 1x1 NHWC convolutions with unit strides and dilations and a constant filter are supported");
        }
        var kernel = _onnx.Float($"{filterName}:matrix", filter.Floats, inChannels, outChannels);
        _onnx.Node("MatMul", [input, kernel], outputNames: [$"{node.Name}:0"]);
        _types[$"{node.Name}:0"] = _types[input];
    }

    private string Transposed(string value, bool transpose) =>
        transpose ? _onnx.Node("Transpose", [value], attributes: Attr("perm", [1L, 0L]))[0] : value;

    /// <summary>The last two axes swapped, whatever the rank (which is not tracked here): Einsum's ellipsis covers the rest.</summary>
    private string SwapLastTwo(string value, bool swap) =>
        swap ? _onnx.Node("Einsum", [value], attributes: Attr("equation", "...ij->...ji"))[0] : value;

    private long[] Constant(TfNode node, int input)
    {
        var name = Ref(node.Inputs[input]);
        return _constants.TryGetValue(name, out var values)
            ? values
            : throw Unsupported(node, $"input {input} ({node.Inputs[input]}) must be a constant");
    }

    private long Scalar(TfNode node, int input) =>
        Constant(node, input) is [var value] ? value : throw Unsupported(node, $"input {input} must be a scalar constant");

    private string Ref(string tfInput)
    {
        var name = tfInput.Contains(':', StringComparison.Ordinal) ? tfInput : $"{tfInput}:0";
        return _types.ContainsKey(name) ? name : throw new InvalidDataException($"'{tfInput}' is used before it is defined: the graph is not in topological order.");
    }

    private static OnnxType TypeOf(int tfType) => tfType switch
    {
        TfDataType.Float => OnnxType.Float,
        TfDataType.Int32 or TfDataType.Int64 => OnnxType.Int64,
        TfDataType.Bool => OnnxType.Bool,
        _ => throw new NotSupportedException($"TensorFlow data type {tfType} is not supported."),
    };

    private static TensorProto ZeroOf(OnnxType type)
    {
        var zero = new TensorProto { DataType = (int)type };
        zero.Dims.Add(1);
        switch (type)
        {
            case OnnxType.Float:
                zero.FloatData.Add(0f);
                break;
            case OnnxType.Int64:
                zero.Int64Data.Add(0L);
                break;
            default:
                zero.Int32Data.Add(0);
                break;
        }
        return zero;
    }

    private static NotSupportedException Unsupported(TfNode node, string reason) => new($"Node '{node.Name}' ({node.Op}): {reason}.");
}
