using System.Globalization;
using Google.Protobuf;
using Onnx;

namespace Turbine.Samples;

/// <summary>
/// A tiny builder over the ONNX protobuf types: graph inputs/outputs with symbolic or fixed dims,
/// float initializers and nodes. Every sample model is built with it.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>ONNX opset of the default domain the samples use.</summary>
    public const long Opset = 17;

    /// <summary>IR version 8 is the one introduced with opset 17 (ONNX 1.12).</summary>
    public const long IrVersion = 8;

    public const string ProducerName = "turbine-samples";

    private readonly GraphProto _graph;
    private int _nodeCount;

    public OnnxGraphBuilder(string graphName) => _graph = new GraphProto { Name = graphName };

    /// <summary>Adds a graph input. A dim that parses as an integer is fixed, any other is a symbolic name.</summary>
    public OnnxGraphBuilder Input(string name, TensorProto.Types.DataType type, params string[] dims)
    {
        _graph.Input.Add(ValueInfo(name, type, dims));
        return this;
    }

    /// <summary>Adds a graph output. A dim that parses as an integer is fixed, any other is a symbolic name.</summary>
    public OnnxGraphBuilder Output(string name, TensorProto.Types.DataType type, params string[] dims)
    {
        _graph.Output.Add(ValueInfo(name, type, dims));
        return this;
    }

    /// <summary>Adds a constant float tensor and returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.Add(dims);
        foreach (var value in values)
        {
            tensor.FloatData.Add(value);
        }

        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a node with one output and returns the output name.</summary>
    public string Node(string opType, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto
        {
            OpType = opType,
            Name = $"{opType}_{_nodeCount++}",
        };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        _graph.Node.Add(node);
        return output;
    }

    /// <summary>Adds a <c>Cast</c> node to <paramref name="to"/>.</summary>
    public string Cast(string input, string output, TensorProto.Types.DataType to) =>
        Node("Cast", [input], output, IntAttribute("to", (long)to));

    public static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public ModelProto Build()
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = _graph.Clone(),
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        return model;
    }

    public byte[] ToBytes() => Build().ToByteArray();

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, string[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(long.TryParse(dim, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                ? new TensorShapeProto.Types.Dimension { DimValue = value }
                : new TensorShapeProto.Types.Dimension { DimParam = dim });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
