using System.Buffers.Binary;
using Turbine.Core.Backends;
using Turbine.Core.Tensors;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>
/// A model instance for scheduler tests: records every batch it is given and blocks in <see cref="Execute"/>
/// until the test releases it. OUTPUT0 echoes INPUT0; OUTPUT1 is INPUT0 negated.
/// </summary>
internal sealed class FakeModelInstance(string name = "fake_0") : GatedFakeInstance<ExecutedBatch>(name, runFreely: false), IModelInstance
{
    public bool Disposed { get; private set; }

    public ExecutionResult Execute(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
    {
        var input = inputs.Single(i => i.Name == "INPUT0");
        Started(new ExecutedBatch(input.Shape[0], ReadInt32s(input.Data.Span), [.. outputNames]));

        var outputs = new List<InferenceTensor>();
        foreach (var output in outputNames)
        {
            var data = input.Data.ToArray();
            if (output == "OUTPUT1")
            {
                for (var i = 0; i < data.Length; i += 4)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(i), -BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(i)));
                }
            }

            outputs.Add(new InferenceTensor(output, TensorDataType.Int32, [.. input.Shape], data));
        }

        return new ExecutionResult(outputs, 1, 2, 3);
    }

    public override void Dispose()
    {
        Disposed = true;
        base.Dispose();
    }

    public static int[] ReadInt32s(ReadOnlySpan<byte> data)
    {
        var values = new int[data.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(data[(i * 4)..]);
        }

        return values;
    }
}

/// <summary>One batch a fake instance executed.</summary>
internal sealed record ExecutedBatch(long Size, int[] Input0, string[] OutputNames);
