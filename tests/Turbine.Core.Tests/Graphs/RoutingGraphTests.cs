using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Backends.Onnx;
using Turbine.Core.Lifecycle;
using Turbine.Core.Stats;
using Turbine.Core.Tensors;
using Turbine.Core.Tests.TestSupport;
using Turbine.Samples;

namespace Turbine.Core.Tests.Graphs;

/// <summary>Routing graphs (KServe InferenceGraph node types) on the real engine and ONNX Runtime.</summary>
public sealed class RoutingGraphTests : IDisposable
{
    private const int Size = TestEngine.SimpleSize;
    private const string AbConfig = """
        name: "g"
        platform: "turbine_graph"
        max_batch_size: 8
        input [ { name: "A" data_type: TYPE_INT32 dims: [ 16 ] }, { name: "B" data_type: TYPE_INT32 dims: [ 16 ] } ]
        output [ { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ 16 ] }, { name: "OUTPUT1" data_type: TYPE_INT32 dims: [ 16 ] } ]
        """;

    private const string Straight = "serviceName: simple\n        inputMap: { INPUT0: A, INPUT1: B }";
    private const string Swapped = "serviceName: simple\n        inputMap: { INPUT0: B, INPUT1: A }";

    private readonly TempModelRepository _repo = new("simple", "identity_fp32", "iris");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task InferAsync_SwitchSample_RoutesByTheClassifiersTopClass()
    {
        SampleGraphs.WriteIrisRouter(_repo.Root);
        await using var engine = await TestEngine.StartAsync(_repo);

        var setosa = await ScoreAsync(engine, [5.1f, 3.5f, 1.4f, 0.2f]);
        var virginica = await ScoreAsync(engine, [6.7f, 3.0f, 5.2f, 2.3f]);

        Assert.Equal(5.1f + 3.5f, setosa, 4); // sepal_score
        Assert.Equal(5.2f + 2.3f, virginica, 4); // petal_score
        Assert.Equal(2, Stat(engine, "iris").InferenceStats.Success.Count);
        Assert.Equal(1, Stat(engine, "sepal_score").InferenceStats.Success.Count);
        Assert.Equal(1, Stat(engine, "petal_score").InferenceStats.Success.Count);
        var router = Stat(engine, "iris_router");
        Assert.Equal(2, router.InferenceStats.Success.Count);
        Assert.Equal(Stat(engine, "iris").InferenceStats.ComputeInfer.Ns + Stat(engine, "sepal_score").InferenceStats.ComputeInfer.Ns + Stat(engine, "petal_score").InferenceStats.ComputeInfer.Ns,
            router.InferenceStats.ComputeInfer.Ns);
    }

    [Fact]
    public async Task LoadModel_GraphInExplicitMode_LoadsTheModelsItsStepsName()
    {
        SampleGraphs.WriteIrisRouter(_repo.Root);
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);

        Assert.Null(await engine.LoadModelAsync(SampleGraphs.IrisRouter, null, CancellationToken.None));

        Assert.Equal(["iris", "iris_router", "petal_score", "sepal_score"], engine.GetServingVersions().Select(v => v.Model).Order(StringComparer.Ordinal));
        Assert.Equal("turbine_graph", engine.GetModelMetadata(SampleGraphs.IrisRouter, null).Value!.Platform);
    }

    [Theory]
    [InlineData("swap", -1)]
    [InlineData("other", 1)]
    [InlineData(null, 1)]
    public async Task InferAsync_SwitchOnRequestParameter_TakesTheFirstBranchThatHolds(string? mode, int sign)
    {
        WriteGraph("g", AbConfig, $"""
            nodes:
              root:
                routerType: Switch
                steps:
                  - name: swapped
                    {Swapped}
                    condition: params.mode == "swap"
                  - name: straight
                    {Straight}
                    condition: "true"
            """);
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = Request("g");
        if (mode is not null)
        {
            request.Parameters = new() { ["mode"] = InferParameter.FromString(mode) };
        }

        using var response = await TestEngine.InferOkAsync(engine, request);

        // A[i] = i, B[i] = 2i+1: OUTPUT1 = A-B = -(i+1), or B-A = i+1 when swapped.
        Assert.Equal(Enumerable.Range(0, Size).Select(i => -sign * (i + 1)), TestEngine.ReadInt32s(response.Outputs.Single(o => o.Name == "OUTPUT1")));
    }

    [Fact]
    public async Task InferAsync_SwitchWithoutAMatch_FailsNamingTheConditions()
    {
        WriteGraph("g", AbConfig, $"""
            nodes:
              root:
                routerType: Switch
                steps:
                  - name: only
                    {Straight}
                    condition: params.mode == "x"
            """);
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = Request("g");

        var error = await TestEngine.InferErrorAsync(engine, request);

        Assert.Equal(StatusCode.InvalidArgument, error.Code);
        Assert.Equal("in graph 'g', node 'root': no Switch condition holds ('only': params.mode == \"x\")", error.Message);
    }

    [Fact]
    public async Task InferAsync_SequenceWithResponseData_ChainsTheStepsOutputs()
    {
        WriteGraph("g", AbConfig, $$"""
            nodes:
              root:
                routerType: Sequence
                steps:
                  - name: first
                    {{Straight}}
                  - name: second
                    serviceName: simple
                    data: $response
                    inputMap: { INPUT0: OUTPUT0, INPUT1: OUTPUT1 }
            """);
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = Request("g");

        using var response = await TestEngine.InferOkAsync(engine, request);

        Assert.Equal(Enumerable.Range(0, Size).Select(i => 2 * i), TestEngine.ReadInt32s(response.Outputs[0]));
        Assert.Equal(Enumerable.Range(0, Size).Select(i => 2 * ((2 * i) + 1)), TestEngine.ReadInt32s(response.Outputs[1]));
        Assert.Equal(2, Stat(engine, "simple").InferenceStats.Success.Count);
    }

    [Fact]
    public async Task InferAsync_Splitter_PicksBranchesAsTheInjectedRandomSourceSays()
    {
        WriteGraph("g", AbConfig, $"""
            nodes:
              root:
                routerType: Splitter
                steps:
                  - name: straight
                    {Straight}
                    weight: 30
                  - name: swapped
                    {Swapped}
                    weight: 70
            """);
        await using var engine = new InferenceEngine(
            new EngineOptions { ModelRepository = _repo.Root, GraphRandom = new Random(42) }, [new OnnxBackend()], NullLogger.Instance);
        await engine.StartAsync(CancellationToken.None);
        var replay = new Random(42);

        for (var r = 0; r < 20; r++)
        {
            using var request = Request("g");
            using var response = await TestEngine.InferOkAsync(engine, request);
            var straight = replay.Next(100) < 30;
            Assert.Equal(straight ? -1 : 1, TestEngine.ReadInt32s(response.Outputs[1])[0]);
        }
    }

    [Theory]
    [InlineData("mean", "FP32", new[] { 2f, 3f, 4f })]
    [InlineData("weighted_mean", "FP32", new[] { 2.5f, 3.5f, 4.5f })]
    [InlineData("concatenate", "FP32", new[] { 1f, 2f, 3f, 3f, 4f, 5f })]
    [InlineData("majority_vote", "INT64", new[] { 2f })]
    public async Task InferAsync_EnsembleCombiner_CombinesTheStepsOutputs(string combiner, string type, float[] expected)
    {
        // X = [1,2,3], Y = [3,4,5], Z = [9,0,0] through identity_fp32; weights 1 and 3 for weighted_mean.
        var vote = combiner == "majority_vote";
        WriteGraph("g", XyzConfig(vote ? "TYPE_INT64" : "TYPE_FP32"), $$"""
            nodes:
              root:
                routerType: Ensemble
                combiner: {{combiner}}
                steps:
                  - { name: x, serviceName: identity_fp32, inputMap: { INPUT0: X }{{(combiner == "weighted_mean" ? ", weight: 1" : "")}} }
                  - { name: y, serviceName: identity_fp32, inputMap: { INPUT0: Y }{{(combiner == "weighted_mean" ? ", weight: 3" : "")}} }
            {{(vote ? "      - { name: z, serviceName: identity_fp32, inputMap: { INPUT0: Z } }" : "")}}
            """);
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = XyzRequest();

        using var response = await TestEngine.InferOkAsync(engine, request);

        var output = Assert.Single(response.Outputs);
        Assert.Equal(type, output.DataType.ToWireName());
        Assert.Equal(expected.Select(v => (double)v), Turbine.Core.Graphs.GraphCondition.TensorValues(output)!);
        Assert.Equal(combiner == "concatenate" ? [1L, 6] : vote ? [1L] : [1L, 3], output.Shape);
    }

    [Fact]
    public async Task InferAsync_EnsembleWithoutCombiner_ReturnsEachStepsOutputsUnderItsName()
    {
        WriteGraph("g", XyzConfig("TYPE_FP32").Replace("name: \"OUTPUT0\"", "name: \"x.OUTPUT0\" data_type: TYPE_FP32 dims: [ 1, 3 ] }, { name: \"y.OUTPUT0\"", StringComparison.Ordinal), """
            nodes:
              root:
                routerType: Ensemble
                steps:
                  - { name: x, serviceName: identity_fp32, inputMap: { INPUT0: X } }
                  - { name: y, serviceName: identity_fp32, inputMap: { INPUT0: Y } }
            """);
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = XyzRequest();

        using var response = await TestEngine.InferOkAsync(engine, request);

        Assert.Equal(["x.OUTPUT0", "y.OUTPUT0"], response.Outputs.Select(o => o.Name));
        Assert.Equal([3d, 4, 5], Turbine.Core.Graphs.GraphCondition.TensorValues(response.Outputs[1])!);
    }

    [Theory]
    [InlineData("Sequence", "Soft", null)]
    [InlineData("Sequence", "Hard", "in graph 'g', node 'root' step 'broken' (model 'identity_fp32'): ")]
    [InlineData("Ensemble", "Soft", null)]
    [InlineData("Ensemble", "Hard", "in graph 'g', node 'root' step 'broken' (model 'identity_fp32'): ")]
    public async Task InferAsync_FailingStep_SoftIsSkippedHardFailsTheRequest(string router, string dependency, string? expected)
    {
        // 'broken' feeds identity_fp32 a tensor the request does not have, so the model's own validation refuses it.
        WriteGraph("g", XyzConfig("TYPE_FP32"), $$"""
            nodes:
              root:
                routerType: {{router}}
                {{(router == "Ensemble" ? "combiner: mean" : "")}}
                steps:
                  - { name: broken, serviceName: identity_fp32, inputMap: { INPUT0: NOPE }, dependency: {{dependency}} }
                  - { name: x, serviceName: identity_fp32, inputMap: { INPUT0: X } }
            """);
        await using var engine = await TestEngine.StartAsync(_repo);
        using var request = XyzRequest();

        var result = await engine.InferAsync(request, CancellationToken.None);

        if (expected is null)
        {
            Assert.True(result.IsOk, result.Error?.ToString());
            using var response = result.Value;
            Assert.Equal([1d, 2, 3], Turbine.Core.Graphs.GraphCondition.TensorValues(response.Outputs[0])!);
        }
        else
        {
            Assert.False(result.IsOk);
            Assert.StartsWith(expected, result.Error.Message, StringComparison.Ordinal);
            Assert.Contains("INPUT0", result.Error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(1, Stat(engine, "identity_fp32").InferenceStats.Fail.Count);
    }

    [Theory]
    [InlineData("nodes:\n  main:\n    routerType: Sequence\n    steps: [ { serviceName: simple } ]", "there is no node named 'root' (the graph's entry node); nodes: main")]
    [InlineData("nodes:\n  root:\n    routerType: Pipeline\n    steps: [ { serviceName: simple } ]", "node 'root': routerType must be Sequence, Switch, Splitter or Ensemble, got 'Pipeline'")]
    [InlineData("nodes:\n  root:\n    routerType: Sequence\n    steps: [ { serviceName: simple, nodeName: root } ]", "node 'root' step 0 ('simple'): exactly one of serviceName (a model) and nodeName (a node) must be set, got 2")]
    [InlineData("nodes:\n  root:\n    routerType: Sequence\n    steps: [ { nodeName: other } ]", "node 'root' step 0 ('other'): nodeName 'other' is not a node of the graph")]
    [InlineData("nodes:\n  root:\n    routerType: Sequence\n    steps: [ { nodeName: a } ]\n  a:\n    routerType: Sequence\n    steps: [ { nodeName: root } ]", "nodes refer to each other in a cycle: a -> root -> a")]
    [InlineData("nodes:\n  root:\n    routerType: Switch\n    steps: [ { serviceName: simple, condition: \"OUTPUT0 ~ 3\" } ]", "node 'root' step 0 ('simple'): condition 'OUTPUT0 ~ 3' is not supported")]
    [InlineData("nodes:\n  root:\n    routerType: Switch\n    steps: [ { serviceName: simple } ]", "node 'root' step 0 ('simple'): every Switch step needs a condition")]
    [InlineData("nodes:\n  root:\n    routerType: Splitter\n    steps: [ { name: a, serviceName: simple, weight: 50 }, { name: b, serviceName: simple, weight: 40 } ]", "node 'root': Splitter weights must sum to 100, got 90")]
    [InlineData("nodes:\n  root:\n    routerType: Ensemble\n    combiner: median\n    steps: [ { serviceName: simple } ]", "node 'root': combiner must be one of concatenate, majority_vote, mean, weighted_mean, got 'median'")]
    [InlineData("nodes:\n  root:\n    routerType: Sequence\n    steps: [ { serviceUrl: \"http://x\" } ]", "serviceUrl is not supported")]
    [InlineData("nodes:\n  root:\n    routerType: Sequence\n    steps: [ { serviceName: absent } ]", "its composing model 'absent' did not load")]
    [InlineData("nodes:\n  root:\n    routerType: Sequence\n    steps: [ { serviceName: simple, retries: 3 } ]", "line 4")]
    [InlineData(null, "platform \"turbine_graph\" needs its graph in graph.yaml beside config.pbtxt")]
    public async Task LoadModel_BadGraph_RefusedWithAPreciseMessage(string? yaml, string expected)
    {
        WriteGraph("g", AbConfig, yaml);
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit, "simple");

        var error = await engine.LoadModelAsync("g", null, CancellationToken.None);

        Assert.NotNull(error);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(engine.GetServingVersions(), v => v.Model == "g");
    }

    private static ModelStatisticsSnapshot Stat(InferenceEngine engine, string model) => Assert.Single(engine.GetStatistics(model, null).Value!);

    private static async Task<float> ScoreAsync(InferenceEngine engine, float[] features)
    {
        using var request = new InferenceRequest(SampleGraphs.IrisRouter);
        var data = new byte[16];
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), features[i]);
        }

        request.Inputs.Add(new InferenceTensor("input", TensorDataType.FP32, [1, 4], data));
        using var response = await TestEngine.InferOkAsync(engine, request);
        var score = Assert.Single(response.Outputs);
        Assert.Equal("score", score.Name);
        return BinaryPrimitives.ReadSingleLittleEndian(score.Data.Span);
    }

    private void WriteGraph(string name, string config, string? yaml) =>
        SampleGraphs.WriteModel(_repo.Root, name, config, yaml is null ? null : new Dictionary<string, string> { ["graph.yaml"] = yaml });

    private static string XyzConfig(string outputType) => $$"""
        name: "g"
        platform: "turbine_graph"
        input [ { name: "X" data_type: TYPE_FP32 dims: [ 1, 3 ] }, { name: "Y" data_type: TYPE_FP32 dims: [ 1, 3 ] }, { name: "Z" data_type: TYPE_FP32 dims: [ 1, 3 ] } ]
        output [ { name: "OUTPUT0" data_type: {{outputType}} dims: [ -1 ] } ]
        """;

    private static InferenceRequest XyzRequest()
    {
        var request = new InferenceRequest("g");
        foreach (var (name, values) in new[] { ("X", new[] { 1f, 2, 3 }), ("Y", [3f, 4, 5]), ("Z", [9f, 0, 0]) })
        {
            var data = new byte[12];
            for (var i = 0; i < 3; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
            }

            request.Inputs.Add(new InferenceTensor(name, TensorDataType.FP32, [1, 3], data));
        }

        return request;
    }

    private static InferenceRequest Request(string model)
    {
        var simple = TestEngine.Simple();
        var request = new InferenceRequest(model);
        foreach (var (input, name) in simple.Inputs.Zip(new[] { "A", "B" }))
        {
            request.Inputs.Add(new InferenceTensor(name, input.DataType, input.Shape, input.Data));
        }

        return request;
    }
}
