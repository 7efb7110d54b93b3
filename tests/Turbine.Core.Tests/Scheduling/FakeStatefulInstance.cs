using System.Buffers.Binary;
using Turbine.Core.Backends;
using Turbine.Core.Tensors;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>
/// A stateful model instance for sequence batcher tests: OUTPUT = STATE_IN + INPUT and STATE_OUT = OUTPUT (INT32,
/// one value per item). It records every control and state value it is given and, unless
/// <see cref="RunFreely"/>, blocks until the test releases it.
/// </summary>
internal sealed class FakeStatefulInstance(string name = "stateful_0") : GatedFakeInstance<StatefulBatch>(name, runFreely: true), IModelInstance
{
    public ExecutionResult Execute(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
    {
        var values = inputs.ToDictionary(i => i.Name, Decode);
        var shapes = inputs.ToDictionary(i => i.Name, i => i.Shape);
        Started(new StatefulBatch(values, shapes, [.. outputNames]));

        var input = inputs.Single(i => i.Name == "INPUT");
        var state = values["STATE_IN"];
        var sum = new byte[input.Data.Length];
        for (var i = 0; i < sum.Length / 4; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(sum.AsSpan(i * 4), (int)values["INPUT"][i] + (int)state[i]);
        }

        var outputs = outputNames.Select(n => new InferenceTensor(n, TensorDataType.Int32, [.. input.Shape], sum.ToArray())).ToList();
        return new ExecutionResult(outputs, 1, 2, 3);
    }

    /// <summary>Every element as a double (INT32, FP32, BOOL, UINT64 controls and states).</summary>
    private static double[] Decode(InferenceTensor tensor)
    {
        var data = tensor.Data.Span;
        return tensor.DataType switch
        {
            TensorDataType.Int32 => [.. Enumerable.Range(0, data.Length / 4).Select(i => (double)BinaryPrimitives.ReadInt32LittleEndian(tensor.Data.Span[(i * 4)..]))],
            TensorDataType.FP32 => [.. Enumerable.Range(0, data.Length / 4).Select(i => (double)BinaryPrimitives.ReadSingleLittleEndian(tensor.Data.Span[(i * 4)..]))],
            TensorDataType.UInt64 => [.. Enumerable.Range(0, data.Length / 8).Select(i => (double)BinaryPrimitives.ReadUInt64LittleEndian(tensor.Data.Span[(i * 8)..]))],
            TensorDataType.Bool => [.. data.ToArray().Select(b => (double)b)],
            _ => [],
        };
    }
}

/// <summary>One batch a stateful fake executed: each input's values and shape, and the outputs asked.</summary>
internal sealed record StatefulBatch(Dictionary<string, double[]> Values, Dictionary<string, long[]> Shapes, string[] OutputNames)
{
    public int Size => Values["INPUT"].Length;
}
