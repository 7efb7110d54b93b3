using System.Globalization;
using Google.Protobuf;
using Onnx;
using Turbine.Core.Tensors;

namespace Turbine.Backends.Onnx.Tests;

/// <summary>
/// Builds small test-only ONNX models with the OnnxSharp protobuf types: graph inputs/outputs with fixed or
/// symbolic dims and nodes. Opset 17, IR version 8 (what ONNX Runtime 1.31 loads without conversion).
/// </summary>
internal sealed class TestGraph
{
    private readonly GraphProto _graph;
    private int _nodes;

    public TestGraph(string name) => _graph = new GraphProto { Name = name };

    /// <summary>ONNX <c>TensorProto.DataType</c> numbers of each protocol data type.</summary>
    public static int OnnxType(TensorDataType type) => type switch
    {
        TensorDataType.FP32 => 1,
        TensorDataType.UInt8 => 2,
        TensorDataType.Int8 => 3,
        TensorDataType.UInt16 => 4,
        TensorDataType.Int16 => 5,
        TensorDataType.Int32 => 6,
        TensorDataType.Int64 => 7,
        TensorDataType.Bytes => 8,
        TensorDataType.Bool => 9,
        TensorDataType.FP16 => 10,
        TensorDataType.FP64 => 11,
        TensorDataType.UInt32 => 12,
        TensorDataType.UInt64 => 13,
        TensorDataType.BF16 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>A one-node identity model <c>OUTPUT0 = Identity(INPUT0)</c>.</summary>
    public static byte[] Identity(TensorDataType type, params string[] dims) =>
        new TestGraph("identity")
            .Input("INPUT0", type, dims)
            .Output("OUTPUT0", type, dims)
            .Node("Identity", ["INPUT0"], "OUTPUT0")
            .ToBytes();

    /// <summary>A dim that parses as an integer is fixed, any other string is a symbolic name.</summary>
    public TestGraph Input(string name, TensorDataType type, params string[] dims)
    {
        _graph.Input.Add(ValueInfo(name, type, dims));
        return this;
    }

    public TestGraph Output(string name, TensorDataType type, params string[] dims)
    {
        _graph.Output.Add(ValueInfo(name, type, dims));
        return this;
    }

    public TestGraph Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{_nodes++}" };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        _graph.Node.Add(node);
        return this;
    }

    public static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public byte[] ToBytes()
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "turbine-tests", Graph = _graph.Clone() };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model.ToByteArray();
    }

    private static ValueInfoProto ValueInfo(string name, TensorDataType type, string[] dims)
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
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = OnnxType(type), Shape = shape } },
        };
    }
}
