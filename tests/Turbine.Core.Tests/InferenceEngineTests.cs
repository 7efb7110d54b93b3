using System.Globalization;
using Turbine.Core.Tensors;
using Turbine.Core.Tests.TestSupport;
using Turbine.Protocol;
using Turbine.Samples;

namespace Turbine.Core.Tests;

/// <summary>Inference, classification, auto-complete and statistics through the engine on the sample models.</summary>
public sealed class InferenceEngineTests : IDisposable
{
    private readonly TempModelRepository _repo = new("simple", "identity_fp32", "iris");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task GetModelConfig_IdentityFp32WithoutConfig_AutoCompletedWithMaxBatchSize4()
    {
        await using var engine = await TestEngine.StartAsync(_repo);

        var config = engine.GetModelConfig("identity_fp32", null);

        Assert.True(config.IsOk);
        Assert.Equal(4, config.Value.MaxBatchSize);
        Assert.Equal("onnxruntime_onnx", config.Value.Platform);
        var input = Assert.Single(config.Value.Inputs);
        Assert.Equal(("INPUT0", TensorDataType.FP32), (input.Name, input.DataType));
        Assert.Equal([-1L], input.Dims.ToArray());
        Assert.Equal("OUTPUT0", Assert.Single(config.Value.Outputs).Name);
    }

    [Fact]
    public async Task InferAsync_Simple_ReturnsSumAndDifference()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = TestEngine.Simple(batch: 2);
        request.Id = "req-7";

        using var response = await TestEngine.InferOkAsync(engine, request);

        Assert.Equal(("simple", 1L, "req-7"), (response.ModelName, response.ModelVersion, response.Id));
        var sum = response.Outputs.Single(o => o.Name == "OUTPUT0");
        var difference = response.Outputs.Single(o => o.Name == "OUTPUT1");
        Assert.Equal([2L, 16L], sum.Shape);
        Assert.Equal(TensorDataType.Int32, sum.DataType);
        Assert.Equal(Enumerable.Range(0, 32).Select(i => i + (2 * (i % 16)) + 1), TestEngine.ReadInt32s(sum));
        Assert.Equal(Enumerable.Range(0, 32).Select(i => i - (2 * (i % 16)) - 1), TestEngine.ReadInt32s(difference));
    }

    [Fact]
    public async Task InferAsync_RequestedOutputOnly_ReturnsJustThatOutput()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = TestEngine.Simple();
        request.Outputs.Add(new RequestedOutput("OUTPUT1"));

        using var response = await TestEngine.InferOkAsync(engine, request);

        Assert.Equal("OUTPUT1", Assert.Single(response.Outputs).Name);
    }

    [Fact]
    public async Task InferAsync_IrisClassification_ReturnsScoreIndexLabelStrings()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        var iris = SampleRepository.TrainIris();
        float[][] samples = [[5.1f, 3.5f, 1.4f, 0.2f], [6.7f, 3.0f, 5.2f, 2.3f]];
        using var request = new InferenceRequest("iris");
        request.Inputs.Add(new InferenceTensor("input", TensorDataType.FP32, [2, 4], samples.SelectMany(s => s).SelectMany(BitConverter.GetBytes).ToArray()));
        request.Outputs.Add(new RequestedOutput("probabilities", new() { ["classification"] = InferParameter.FromInt64(2) }));

        using var response = await TestEngine.InferOkAsync(engine, request);

        var output = Assert.Single(response.Outputs);
        Assert.Equal(TensorDataType.Bytes, output.DataType);
        Assert.Equal([2L, 2L], output.Shape);
        var strings = BytesTensor.ToStrings(output.Data.Span);
        for (var b = 0; b < samples.Length; b++)
        {
            var expected = iris.PredictProbabilities(samples[b]);
            var order = Enumerable.Range(0, expected.Length).OrderByDescending(c => expected[c]).ToArray();
            for (var k = 0; k < 2; k++)
            {
                var parts = strings[(b * 2) + k].Split(':');
                Assert.Equal(3, parts.Length);
                Assert.Equal(expected[order[k]], double.Parse(parts[0], CultureInfo.InvariantCulture), 4);
                Assert.Equal(order[k].ToString(CultureInfo.InvariantCulture), parts[1]);
                Assert.Equal(iris.ClassNames[order[k]], parts[2]);
            }
        }

        Assert.EndsWith(":0:setosa", strings[0], StringComparison.Ordinal);
        Assert.EndsWith(":2:virginica", strings[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStatistics_AfterMixedRequests_CountsEqualWhatWasSent()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        foreach (var batch in new[] { 1, 2, 3 })
        {
            using var request = TestEngine.Simple(batch);
            using var response = await TestEngine.InferOkAsync(engine, request);
        }

        for (var i = 0; i < 2; i++)
        {
            using var bad = TestEngine.Simple(batch: 9);
            await TestEngine.InferErrorAsync(engine, bad);
        }

        var stats = engine.GetStatistics("simple", null);

        Assert.True(stats.IsOk);
        var s = Assert.Single(stats.Value);
        Assert.Equal(("simple", 1L), (s.Name, s.Version));
        Assert.Equal(3, s.InferenceStats.Success.Count);
        Assert.Equal(2, s.InferenceStats.Fail.Count);
        Assert.Equal(6, s.InferenceCount);
        Assert.Equal(3, s.ExecutionCount);
        Assert.Equal([1L, 2L, 3L], s.BatchStats.Select(b => b.BatchSize));
        Assert.All(s.BatchStats, b => Assert.Equal(1, b.ComputeInfer.Count));
    }

    [Fact]
    public async Task GetStatistics_UnknownModel_TritonInvalidArgument()
    {
        await using var engine = await TestEngine.StartAsync(_repo);

        var stats = engine.GetStatistics("nope", null);

        Assert.Equal(new InferenceError(StatusCode.InvalidArgument, "requested model 'nope' is not available"), stats.Error);
    }

    [Fact]
    public async Task InferAsync_TimeoutParameter_Accepted()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = TestEngine.Simple();
        request.Parameters = new() { ["timeout"] = InferParameter.FromInt64(5_000_000) };

        using var response = await TestEngine.InferOkAsync(engine, request);

        Assert.Equal(5_000_000, request.TimeoutMicroseconds);
        Assert.Equal(2, response.Outputs.Count);
    }

    [Fact]
    public async Task InferAsync_UnknownModel_TritonInvalidArgument()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = TestEngine.Simple(model: "nope");

        var error = await TestEngine.InferErrorAsync(engine, request);

        Assert.Equal(new InferenceError(StatusCode.InvalidArgument, "Request for unknown model: 'nope' is not found"), error);
    }

    [Fact]
    public async Task InferAsync_InvalidRequest_InvalidArgumentFromValidator()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = new InferenceRequest("identity_fp32");
        request.Inputs.Add(new InferenceTensor("INPUT0", TensorDataType.FP64, [1, 2], new byte[16]));

        var error = await TestEngine.InferErrorAsync(engine, request);

        Assert.Equal(StatusCode.InvalidArgument, error.Code);
        Assert.Equal("input 'INPUT0' for model 'identity_fp32': expected datatype FP32, got FP64", error.Message);
    }

    [Fact]
    public async Task GetModelMetadata_Simple_BatchDimensionIsVariable()
    {
        await using var engine = await TestEngine.StartAsync(_repo);

        var metadata = engine.GetModelMetadata("simple", null);

        Assert.True(metadata.IsOk);
        Assert.Equal(["1"], metadata.Value.Versions);
        Assert.Equal([-1L, 16L], metadata.Value.Inputs[0].Shape);
        Assert.Equal("INT32", metadata.Value.Inputs[0].Datatype);
    }
}
