using Turbine.Core.Lifecycle;
using Turbine.Core.Tensors;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>The <c>accumulator</c> sample through the real engine and ONNX Runtime: sequence parameters, state, errors.</summary>
public sealed class SequenceBatchingEngineTests : IDisposable
{
    private readonly TempModelRepository _repo = new("accumulator");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task Infer_TwoInterleavedSequences_EachKeepsItsOwnRunningSum()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        var metadata = engine.GetModelMetadata("accumulator", null);
        Assert.True(metadata.IsOk, metadata.Error?.ToString());
        Assert.Equal(["INPUT"], metadata.Value.Inputs.Select(i => i.Name));
        Assert.Equal(["OUTPUT"], metadata.Value.Outputs.Select(o => o.Name));

        (ulong Id, int Value, bool Start, bool End, int Expected)[] steps =
        [
            (1, 5, true, false, 5), (2, 100, true, false, 100), (1, 6, false, false, 11),
            (2, 1, false, false, 101), (1, 7, false, true, 18), (2, -1, false, true, 100),
        ];
        foreach (var (id, value, start, end, expected) in steps)
        {
            using var request = Step(InferParameter.FromUInt64(id), value, start, end);
            using var response = await TestEngine.InferOkAsync(engine, request);
            Assert.Equal("OUTPUT", Assert.Single(response.Outputs).Name);
            Assert.Equal([expected], TestEngine.ReadInt32s(response.Outputs[0]));
        }

        using var restarted = Step(InferParameter.FromString("text-id"), 3, true, false);
        using var again = await TestEngine.InferOkAsync(engine, restarted);
        Assert.Equal([3], TestEngine.ReadInt32s(again.Outputs[0]));
        Assert.Equal(7, engine.GetStatistics("accumulator", null).Value!.Single().ExecutionCount);
    }

    [Fact]
    public async Task Infer_WithoutSequenceId_InvalidArgument()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = Step(null, 1, true, false);

        var error = await TestEngine.InferErrorAsync(engine, request);

        Assert.Equal(StatusCode.InvalidArgument, error.Code);
        Assert.Equal("model 'accumulator' is stateful: sequence_id is required", error.Message);
    }

    [Fact]
    public async Task Infer_ClientSendsStateInput_RejectedAsUnexpected()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = Step(InferParameter.FromUInt64(4), 1, true, false);
        request.Inputs.Add(new InferenceTensor("STATE_IN", TensorDataType.Int32, [1, 1], new byte[4]));

        var error = await TestEngine.InferErrorAsync(engine, request);

        Assert.Contains("unexpected inference input 'STATE_IN' for model 'accumulator'; expected inputs are ['INPUT']", error.Message, StringComparison.Ordinal);
    }

    private static InferenceRequest Step(InferParameter? id, int value, bool start, bool end)
    {
        var request = new InferenceRequest("accumulator");
        var data = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(data, value);
        request.Inputs.Add(new InferenceTensor("INPUT", TensorDataType.Int32, [1, 1], data));
        request.Parameters = new Dictionary<string, InferParameter>
        {
            ["sequence_start"] = InferParameter.FromBool(start),
            ["sequence_end"] = InferParameter.FromBool(end),
        };
        if (id is { } sequenceId)
        {
            request.Parameters["sequence_id"] = sequenceId;
        }

        return request;
    }
}
