using Turbine.Core.Tensors;
using Turbine.Protocol;

namespace Turbine.Core.Tests.Tensors;

public sealed class ClassificationTests
{
    [Fact]
    public void TopK_FloatsWithoutLabels_ValueColonIndexHighestFirst()
    {
        using var output = Fp32("OUT", [4], [0.1f, 0.7f, 0.05f, 0.15f]);

        using var top = Classification.TopK(output, 2, batched: false, labels: null);

        Assert.Equal(("OUT", TensorDataType.Bytes), (top.Name, top.DataType));
        Assert.Equal([2L], top.Shape);
        Assert.Equal(["0.700000:1", "0.150000:3"], BytesTensor.ToStrings(top.Data.Span));
    }

    [Fact]
    public void TopK_WithLabels_AppendsLabel()
    {
        using var output = Fp32("OUT", [3], [0.2f, 0.3f, 0.5f]);

        using var top = Classification.TopK(output, 1, batched: false, labels: ["cat", "dog", "bird"]);

        Assert.Equal(["0.500000:2:bird"], BytesTensor.ToStrings(top.Data.Span));
    }

    [Fact]
    public void TopK_Batched_TopKPerBatchItem()
    {
        using var output = Fp32("OUT", [2, 3], [1f, 3f, 2f, 9f, 8f, 7f]);

        using var top = Classification.TopK(output, 2, batched: true, labels: null);

        Assert.Equal([2L, 2L], top.Shape);
        Assert.Equal(["3.000000:1", "2.000000:2", "9.000000:0", "8.000000:1"], BytesTensor.ToStrings(top.Data.Span));
    }

    [Fact]
    public void TopK_Ties_LowerIndexFirst()
    {
        using var output = Fp32("OUT", [5], [0.5f, 0.9f, 0.5f, 0.9f, 0.5f]);

        using var top = Classification.TopK(output, 5, batched: false, labels: null);

        Assert.Equal(["0.900000:1", "0.900000:3", "0.500000:0", "0.500000:2", "0.500000:4"], BytesTensor.ToStrings(top.Data.Span));
    }

    [Fact]
    public void TopK_KGreaterThanClasses_ReturnsEveryClass()
    {
        using var output = Fp32("OUT", [1, 2], [0.25f, 0.75f]);

        using var top = Classification.TopK(output, 10, batched: true, labels: ["a", "b"]);

        Assert.Equal([1L, 2L], top.Shape);
        Assert.Equal(["0.750000:1:b", "0.250000:0:a"], BytesTensor.ToStrings(top.Data.Span));
    }

    [Fact]
    public void TopK_IntegerOutput_IntegerValues()
    {
        var data = new byte[12];
        BitConverter.TryWriteBytes(data.AsSpan(0), 5);
        BitConverter.TryWriteBytes(data.AsSpan(4), -2);
        BitConverter.TryWriteBytes(data.AsSpan(8), 40);
        using var output = new InferenceTensor("OUT", TensorDataType.Int32, [3], data);

        using var top = Classification.TopK(output, 3, batched: false, labels: null);

        Assert.Equal(["40:2", "5:0", "-2:1"], BytesTensor.ToStrings(top.Data.Span));
    }

    [Fact]
    public void TopK_FewerLabelsThanClasses_OmitsMissingLabel()
    {
        using var output = Fp32("OUT", [2], [0.1f, 0.9f]);

        using var top = Classification.TopK(output, 2, batched: false, labels: ["only"]);

        Assert.Equal(["0.900000:1", "0.100000:0:only"], BytesTensor.ToStrings(top.Data.Span));
    }

    private static InferenceTensor Fp32(string name, long[] shape, float[] values) =>
        new(name, TensorDataType.FP32, shape, values.SelectMany(BitConverter.GetBytes).ToArray());
}
