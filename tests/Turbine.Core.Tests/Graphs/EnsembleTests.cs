using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Turbine.Backends.Onnx;
using Turbine.Core.Config;
using Turbine.Core.Lifecycle;
using Turbine.Core.Tensors;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Graphs;

/// <summary>Triton ensembles on the real engine and ONNX Runtime, over the <c>simple</c> sample model.</summary>
public sealed class EnsembleTests : IDisposable
{
    private const int Size = TestEngine.SimpleSize;
    private readonly TempModelRepository _repo = new("simple");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task InferAsync_ChainedSteps_ComputesThroughBothModels()
    {
        Turbine.Samples.SampleGraphs.WriteSimpleChain(_repo.Root);
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = Request("simple_chain", batch: 2);

        using var response = await TestEngine.InferOkAsync(engine, request);

        // A[b][i] = b*16+i, B[b][i] = 2i+1: SUM+DIFF = 2A and SUM-DIFF = 2B.
        var a = Enumerable.Range(0, 2 * Size).ToArray();
        var b = Enumerable.Range(0, 2 * Size).Select(i => (2 * (i % Size)) + 1).ToArray();
        Assert.Equal(["TWICE_A", "TWICE_B", "SUM"], response.Outputs.Select(o => o.Name));
        Assert.Equal(a.Select(x => 2 * x), TestEngine.ReadInt32s(response.Outputs[0]));
        Assert.Equal(b.Select(x => 2 * x), TestEngine.ReadInt32s(response.Outputs[1]));
        Assert.Equal(a.Zip(b, (x, y) => x + y), TestEngine.ReadInt32s(response.Outputs[2]));
        Assert.Equal([2L, Size], response.Outputs[0].Shape);
        Assert.Equal("simple_chain", response.ModelName);
    }

    [Fact]
    public async Task InferAsync_RequestedOutputsSubset_ReturnsOnlyThose()
    {
        Turbine.Samples.SampleGraphs.WriteSimpleChain(_repo.Root);
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = Request("simple_chain");
        request.Outputs.Add(new RequestedOutput("TWICE_B"));

        using var response = await TestEngine.InferOkAsync(engine, request);

        var only = Assert.Single(response.Outputs);
        Assert.Equal("TWICE_B", only.Name);
        Assert.Equal(Enumerable.Range(0, Size).Select(i => 2 * ((2 * i) + 1)), TestEngine.ReadInt32s(only));
    }

    [Fact]
    public async Task InferAsync_ComposingModelBatches_ItsDynamicBatcherJoinsStepsOfSeveralEnsembleRequests()
    {
        // The composing model's queue delay is on a clock that never moves: a batch runs only at the preferred size 4.
        _repo.AppendConfig("simple", "dynamic_batching { preferred_batch_size: [ 4 ] max_queue_delay_microseconds: 10000000 }");
        Turbine.Samples.SampleGraphs.WriteSimpleChain(_repo.Root);
        await using var engine = new InferenceEngine(
            new EngineOptions { ModelRepository = _repo.Root, TimeProvider = new FakeTimeProvider() }, [new OnnxBackend()], NullLogger.Instance);
        await engine.StartAsync(CancellationToken.None);
        var requests = Enumerable.Range(0, 4).Select(_ => Request("simple_chain")).ToList();

        var results = await Task.WhenAll(requests.Select(r => engine.InferAsync(r, CancellationToken.None).AsTask())).WaitAsync(TimeSpan.FromSeconds(60));

        foreach (var result in results)
        {
            Assert.True(result.IsOk, result.Error?.ToString());
            Assert.Equal(Enumerable.Range(0, Size).Select(i => 2 * i), TestEngine.ReadInt32s(result.Value.Outputs[0]));
            result.Value.Dispose();
        }

        requests.ForEach(r => r.Dispose());
        var simple = Assert.Single(engine.GetStatistics("simple", null).Value!);
        Assert.Equal(2, simple.ExecutionCount); // one batch of 4 per step
        Assert.Equal(8, simple.InferenceCount);
        Assert.Equal(8, simple.InferenceStats.Success.Count);
        Assert.Equal(4, Assert.Single(simple.BatchStats).BatchSize);

        var chain = Assert.Single(engine.GetStatistics("simple_chain", null).Value!);
        Assert.Equal(4, chain.InferenceStats.Success.Count);
        Assert.Equal(4, chain.InferenceCount);
        Assert.Equal(0, chain.ExecutionCount);
        Assert.Empty(chain.BatchStats);
        Assert.Equal(simple.InferenceStats.ComputeInfer.Ns, chain.InferenceStats.ComputeInfer.Ns);
        Assert.Equal(simple.InferenceStats.Queue.Ns, chain.InferenceStats.Queue.Ns);
    }

    [Fact]
    public async Task InferAsync_MaxInflightRequests_HoldsTheSecondStepRequestBack()
    {
        // Preferred batch 2 on a clock that only moves when the test says: without the limit the two requests would
        // form one batch; with max_inflight_requests 1 the second waits at the step until the first has run alone.
        _repo.AppendConfig("simple", "dynamic_batching { preferred_batch_size: [ 2 ] max_queue_delay_microseconds: 1000000 }");
        EnsembleRepository.Write(_repo.Root, "one", EnsembleRepository.Config("one", ["SUM"],
            EnsembleRepository.Step("simple", ("INPUT0", "A", false), ("INPUT1", "B", false), ("OUTPUT0", "SUM", true))).Replace(
            "ensemble_scheduling {", "ensemble_scheduling { max_inflight_requests: 1", StringComparison.Ordinal));
        var time = new FakeTimeProvider();
        await using var engine = new InferenceEngine(
            new EngineOptions { ModelRepository = _repo.Root, TimeProvider = time }, [new OnnxBackend()], NullLogger.Instance);
        await engine.StartAsync(CancellationToken.None);
        using var first = Request("one");
        using var second = Request("one");

        var running = new[] { engine.InferAsync(first, CancellationToken.None).AsTask(), engine.InferAsync(second, CancellationToken.None).AsTask() };
        await Poll.UntilOrFailAsync(
            () => engine.GetServingVersions("one").Single().QueueDepth == 1 && engine.GetServingVersions("simple").Single().QueueDepth == 1,
            TimeSpan.FromSeconds(30), "expected one step request held back by the ensemble and one queued in the batcher");
        for (var i = 0; i < 3000 && !running.All(t => t.IsCompleted); i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(Task.WhenAll(running), Task.Delay(20));
        }

        foreach (var result in await Task.WhenAll(running))
        {
            Assert.True(result.IsOk, result.Error?.ToString());
            result.Value.Dispose();
        }

        var simple = Assert.Single(engine.GetStatistics("simple", null).Value!);
        Assert.Equal(2, simple.ExecutionCount);
        Assert.Equal(1, Assert.Single(simple.BatchStats).BatchSize);
    }

    [Fact]
    public async Task InferAsync_StepFails_ErrorNamesEnsembleStepAndCause()
    {
        Turbine.Samples.SampleGraphs.WriteSimpleChain(_repo.Root);
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit, "simple_chain");
        Assert.Null(await engine.UnloadModelAsync("simple", CancellationToken.None));
        using var request = Request("simple_chain");

        var error = await TestEngine.InferErrorAsync(engine, request);

        Assert.Equal(StatusCode.Unavailable, error.Code);
        Assert.StartsWith("in ensemble 'simple_chain', step 0 (model 'simple'): model 'simple' is not ready", error.Message, StringComparison.Ordinal);
        var chain = Assert.Single(engine.GetStatistics("simple_chain", null).Value!);
        Assert.Equal(1, chain.InferenceStats.Fail.Count);
    }

    [Fact]
    public async Task InferAsync_BadInputForComposingModel_FailsWithStepsValidationMessage()
    {
        // The ensemble accepts any length ([-1]); simple needs 16: the step's own validation rejects it.
        EnsembleRepository.Write(_repo.Root, "loose", EnsembleRepository.Config("loose", ["SUM"],
            EnsembleRepository.Step("simple", ("INPUT0", "A", false), ("INPUT1", "B", false), ("OUTPUT0", "SUM", true))).Replace("dims: [ 16 ] }, { name: \"B\"", "dims: [ -1 ] }, { name: \"B\"", StringComparison.Ordinal));
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = new InferenceRequest("loose");
        request.Inputs.Add(new InferenceTensor("A", TensorDataType.Int32, [1, 3], new byte[12]));
        request.Inputs.Add(new InferenceTensor("B", TensorDataType.Int32, [1, 16], new byte[64]));

        var error = await TestEngine.InferErrorAsync(engine, request);

        Assert.Equal(StatusCode.InvalidArgument, error.Code);
        Assert.StartsWith("in ensemble 'loose', step 0 (model 'simple'): ", error.Message, StringComparison.Ordinal);
        Assert.Contains("INPUT0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadModel_ExplicitMode_LoadsComposingModelsFirst()
    {
        Turbine.Samples.SampleGraphs.WriteSimpleChain(_repo.Root);
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);
        Assert.Empty(engine.GetServingVersions());

        Assert.Null(await engine.LoadModelAsync("simple_chain", null, CancellationToken.None));

        Assert.Equal(["simple", "simple_chain"], engine.GetServingVersions().Select(v => v.Model).Order(StringComparer.Ordinal));
        using var request = Request("simple_chain");
        using var response = await TestEngine.InferOkAsync(engine, request);
        Assert.Equal(3, response.Outputs.Count);
    }

    [Fact]
    public async Task UnloadModel_WithDependents_UnloadsComposingModelsNoOtherEnsembleUses()
    {
        Turbine.Samples.SampleGraphs.WriteSimpleChain(_repo.Root);
        EnsembleRepository.Write(_repo.Root, "solo", EnsembleRepository.Config("solo", ["SUM"],
            EnsembleRepository.Step("simple", ("INPUT0", "A", false), ("INPUT1", "B", false), ("OUTPUT0", "SUM", true))));
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit, "simple_chain", "solo");

        Assert.Null(await engine.UnloadModelAsync("simple_chain", unloadDependents: true, CancellationToken.None));
        Assert.Equal(["simple", "solo"], engine.GetServingVersions().Select(v => v.Model).Order(StringComparer.Ordinal));

        Assert.Null(await engine.UnloadModelAsync("solo", unloadDependents: true, CancellationToken.None));
        Assert.Empty(engine.GetServingVersions());
    }

    [Fact]
    public async Task GetModelConfig_Ensemble_WritesEnsembleSchedulingAsParsed()
    {
        Turbine.Samples.SampleGraphs.WriteSimpleChain(_repo.Root);
        await using var engine = await TestEngine.StartAsync(_repo);

        var config = engine.GetModelConfig("simple_chain", null).Value!;
        var metadata = engine.GetModelMetadata("simple_chain", null).Value!;

        Assert.Equal("ensemble", config.Platform);
        Assert.Equal("", config.Backend);
        Assert.Empty(config.InstanceGroups);
        var steps = config.EnsembleScheduling!.Steps;
        Assert.Equal(2, steps.Length);
        Assert.Equal(-1, steps[1].ModelVersion);
        Assert.Equal("DIFF", steps[1].InputMap["INPUT1"]);
        var json = ModelConfigJson.ToJson(config);
        Assert.Contains("\"ensemble_scheduling\":{\"step\":[{\"model_name\":\"simple\",\"model_version\":-1,\"input_map\":{\"INPUT0\":\"A\",\"INPUT1\":\"B\"}", json, StringComparison.Ordinal);
        Assert.Equal(ModelConfigJson.ToJson(config), ModelConfigJson.ToJson(ModelConfigJson.Parse(json, "round trip")));
        Assert.Equal("ensemble", metadata.Platform);
        Assert.Equal(["A", "B"], metadata.Inputs.Select(i => i.Name));
    }

    [Theory]
    [InlineData("cycle", "ensemble_scheduling has a cycle: step 0 (model 'simple') -> step 1 (model 'simple') -> step 0 (model 'simple')")]
    [InlineData("missing", "ensemble_scheduling.step[0] (model 'simple'): input 'INPUT1' reads ensemble tensor 'NOPE', which is neither an ensemble input nor an output of any step")]
    [InlineData("twice", "ensemble_scheduling.step[1] (model 'simple'): output 'OUTPUT0' writes ensemble tensor 'SUM', already written by step 0 (model 'simple')")]
    [InlineData("unwritten", "ensemble output 'OTHER' is not written by any step's output_map")]
    [InlineData("unknown_input", "step 0 (model 'simple'): input_map names input 'INPUT9', which the model does not have (its inputs: INPUT0, INPUT1)")]
    [InlineData("unmapped", "step 0 (model 'simple'): the model's input 'INPUT1' is not mapped in input_map")]
    [InlineData("absent_model", "failed to load 'absent_model': its composing model 'nothing' did not load: ")]
    public async Task LoadModel_BadEnsemble_RefusedWithPreciseMessage(string name, string expected)
    {
        string[] sum = ["SUM"];
        var config = name switch
        {
            "cycle" => EnsembleRepository.Config(name, ["X"],
                EnsembleRepository.Step("simple", ("INPUT0", "A", false), ("INPUT1", "Y", false), ("OUTPUT0", "X", true)),
                EnsembleRepository.Step("simple", ("INPUT0", "X", false), ("INPUT1", "B", false), ("OUTPUT0", "Y", true))),
            "missing" => EnsembleRepository.Config(name, sum,
                EnsembleRepository.Step("simple", ("INPUT0", "A", false), ("INPUT1", "NOPE", false), ("OUTPUT0", "SUM", true))),
            "twice" => EnsembleRepository.Config(name, sum,
                EnsembleRepository.Step("simple", ("INPUT0", "A", false), ("INPUT1", "B", false), ("OUTPUT0", "SUM", true)),
                EnsembleRepository.Step("simple", ("INPUT0", "B", false), ("INPUT1", "A", false), ("OUTPUT0", "SUM", true))),
            "unwritten" => EnsembleRepository.Config(name, ["SUM", "OTHER"],
                EnsembleRepository.Step("simple", ("INPUT0", "A", false), ("INPUT1", "B", false), ("OUTPUT0", "SUM", true))),
            "unknown_input" => EnsembleRepository.Config(name, sum,
                EnsembleRepository.Step("simple", ("INPUT0", "A", false), ("INPUT1", "B", false), ("INPUT9", "B", false), ("OUTPUT0", "SUM", true))),
            "unmapped" => EnsembleRepository.Config(name, sum,
                EnsembleRepository.Step("simple", ("INPUT0", "A", false), ("OUTPUT0", "SUM", true))),
            _ => EnsembleRepository.Config(name, sum,
                EnsembleRepository.Step("nothing", ("INPUT0", "A", false), ("OUTPUT0", "SUM", true))),
        };
        EnsembleRepository.Write(_repo.Root, name, config);
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit, "simple");

        var error = await engine.LoadModelAsync(name, null, CancellationToken.None);

        Assert.NotNull(error);
        Assert.Equal(name == "absent_model" ? StatusCode.NotFound : StatusCode.InvalidArgument, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Single(engine.GetServingVersions());
    }

    [Fact]
    public async Task LoadModel_EnsemblesIncludingEachOther_Refused()
    {
        EnsembleRepository.Write(_repo.Root, "ping", EnsembleRepository.Config("ping", ["SUM"],
            EnsembleRepository.Step("pong", ("INPUT0", "A", false), ("OUTPUT0", "SUM", true))));
        EnsembleRepository.Write(_repo.Root, "pong", EnsembleRepository.Config("pong", ["SUM"],
            EnsembleRepository.Step("ping", ("INPUT0", "A", false), ("OUTPUT0", "SUM", true))));
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);

        var error = await engine.LoadModelAsync("ping", null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.NotNull(error);
        Assert.Contains("ensembles include each other (ping -> pong -> ping)", error.Message, StringComparison.Ordinal);
    }

    private static InferenceRequest Request(string model, int batch = 1)
    {
        var simple = TestEngine.Simple(batch);
        var request = new InferenceRequest(model);
        foreach (var (input, name) in simple.Inputs.Zip(new[] { "A", "B" }))
        {
            request.Inputs.Add(new InferenceTensor(name, input.DataType, input.Shape, input.Data));
        }

        return request;
    }
}
