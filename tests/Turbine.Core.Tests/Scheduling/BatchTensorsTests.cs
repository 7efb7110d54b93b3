using Turbine.Core.Scheduling;
using Turbine.Core.Tensors;
using Turbine.Protocol;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>Concatenation of batch inputs and splitting of batch outputs, BYTES framing included.</summary>
public sealed class BatchTensorsTests
{
    [Fact]
    public void Concatenate_BytesParts_FramedBytesJoinedUnderBatchShape()
    {
        using var a = new InferenceTensor("IN", TensorDataType.Bytes, [1, 2], BytesTensor.Frame(["a", "bb"]));
        using var b = new InferenceTensor("IN", TensorDataType.Bytes, [2, 2], BytesTensor.Frame(["", "ccc", "d", "ee"]));

        using var batch = BatchTensors.Concatenate([a, b], 3);

        Assert.Equal([3L, 2L], batch.Shape);
        Assert.Equal(["a", "bb", "", "ccc", "d", "ee"], BytesTensor.ToStrings(batch.Data.Span));
    }

    [Fact]
    public void Split_BytesOutput_SlicesFollowTheFraming()
    {
        var output = new InferenceTensor("OUT", TensorDataType.Bytes, [3, 2], BytesTensor.Frame(["a", "bb", "", "ccc", "d", "ee"]));

        var slices = BatchTensors.Split(output, [1, 2]);

        Assert.NotNull(slices);
        Assert.Equal([1L, 2L], slices[0].Shape);
        Assert.Equal(["a", "bb"], BytesTensor.ToStrings(slices[0].Data.Span));
        Assert.Equal([2L, 2L], slices[1].Shape);
        Assert.Equal(["", "ccc", "d", "ee"], BytesTensor.ToStrings(slices[1].Data.Span));
    }

    [Fact]
    public void Split_LastSliceDisposed_ReleasesBatchOutputOnce()
    {
        var owner = new CountingOwner();
        var output = new InferenceTensor("OUT", TensorDataType.Int32, [3], new byte[12], owner);

        var slices = BatchTensors.Split(output, [2, 1])!;
        slices[0].Dispose();
        slices[0].Dispose();
        var afterFirst = owner.Disposals;
        slices[1].Dispose();

        Assert.Equal(0, afterFirst);
        Assert.Equal(1, owner.Disposals);
        Assert.Equal(8, slices[0].Data.Length);
    }

    [Fact]
    public void Split_FirstDimensionNotTheBatch_ReturnsNull()
    {
        using var output = new InferenceTensor("OUT", TensorDataType.Int32, [2], new byte[8]);

        Assert.Null(BatchTensors.Split(output, [2, 1]));
    }

    private sealed class CountingOwner : IDisposable
    {
        public int Disposals { get; private set; }

        public void Dispose() => Disposals++;
    }
}
