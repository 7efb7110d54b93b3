using Turbine.Core.Lifecycle;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Lifecycle;

public sealed class WarmupAndUnbuiltFeatureTests : IDisposable
{
    private readonly TempModelRepository _repo = new("simple", "iris");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task Load_ZeroAndRandomWarmup_RunsThenIsReady()
    {
        _repo.AppendConfig("simple", """
            model_warmup [
              { name: "zeros" batch_size: 8 count: 3 inputs { key: "INPUT0" value: { data_type: TYPE_INT32 dims: [16] zero_data: true } }
                                                    inputs { key: "INPUT1" value: { data_type: TYPE_INT32 dims: [16] random_data: true } } }
            ]
            """);
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);
        Assert.Null(await engine.LoadModelAsync("simple", null, CancellationToken.None));
        Assert.True(engine.IsModelReady("simple", 1));
    }

    [Fact]
    public async Task Load_WarmupFromFile_ReadsModelWarmupFolder()
    {
        var folder = Path.Combine(_repo.ModelDir("iris"), "warmup");
        Directory.CreateDirectory(folder);
        var floats = new float[] { 5.1f, 3.5f, 1.4f, 0.2f, 6.7f, 3.0f, 5.2f, 2.3f };
        var bytes = new byte[floats.Length * 4];
        Buffer.BlockCopy(floats, 0, bytes, 0, bytes.Length);
        await File.WriteAllBytesAsync(Path.Combine(folder, "two_flowers.bin"), bytes);
        _repo.AppendConfig("iris", """
            model_warmup { name: "file" batch_size: 2 inputs { key: "input" value: { data_type: TYPE_FP32 dims: [4] input_data_file: "two_flowers.bin" } } }
            """);
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);
        Assert.Null(await engine.LoadModelAsync("iris", null, CancellationToken.None));
        Assert.True(engine.IsModelReady("iris", 1));
    }

    [Fact]
    public async Task Load_WarmupFileMissing_IsNotReadyAndNamesTheFile()
    {
        _repo.AppendConfig("iris", """
            model_warmup { name: "file" batch_size: 1 inputs { key: "input" value: { data_type: TYPE_FP32 dims: [4] input_data_file: "missing.bin" } } }
            """);
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);
        var error = await engine.LoadModelAsync("iris", null, CancellationToken.None);
        Assert.NotNull(error);
        Assert.Contains("warmup 'file': input_data_file", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing.bin", error.Message, StringComparison.Ordinal);
        Assert.False(engine.IsModelReady("iris", null));
        var row = Assert.Single(engine.GetRepositoryIndex(false), r => r.Name == "iris");
        Assert.Equal(ModelReadyState.Unavailable, row.State);
    }

    [Fact]
    public async Task Load_WarmupTheModelRejects_IsNotReady()
    {
        _repo.AppendConfig("simple", """
            model_warmup { name: "bad" batch_size: 1 inputs { key: "INPUT0" value: { data_type: TYPE_INT32 dims: [3] zero_data: true } } }
            """);
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);
        var error = await engine.LoadModelAsync("simple", null, CancellationToken.None);
        Assert.NotNull(error);
        Assert.Contains("warmup 'bad' failed on instance 'simple_0'", error.Message, StringComparison.Ordinal);
        Assert.False(engine.IsModelReady("simple", null));
    }

    [Fact]
    public async Task Load_SequenceBatchingStateNotInModel_IsALoadErrorNamingIt()
    {
        _repo.AppendConfig("simple", """
            sequence_batching { state [{ input_name: "STATE_IN" output_name: "STATE_OUT" data_type: TYPE_INT32 dims: [1] }] }
            """);
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);
        var error = await engine.LoadModelAsync("simple", null, CancellationToken.None);
        Assert.NotNull(error);
        Assert.Contains("sequence_batching state input 'STATE_IN' is not a model input; the model's inputs are ['INPUT0', 'INPUT1']", error.Message, StringComparison.Ordinal);
        Assert.Contains("config.pbtxt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_DynamicBatchingAndResponseCache_AreAcceptedAndServe()
    {
        _repo.AppendConfig("simple", "dynamic_batching { max_queue_delay_microseconds: 100 }\nresponse_cache { enable: true }");
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);
        Assert.Null(await engine.LoadModelAsync("simple", null, CancellationToken.None));
        using var request = TestEngine.Simple(batch: 2);
        using var response = await TestEngine.InferOkAsync(engine, request);
        Assert.Equal([2L, 16L], response.Outputs[0].Shape);
    }
}
