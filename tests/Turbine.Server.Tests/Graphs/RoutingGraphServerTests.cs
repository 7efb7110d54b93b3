using System.Text.Json;
using Grpc.Core;
using Turbine.Core.Lifecycle;
using Turbine.Protocol.Grpc;
using Turbine.Samples;
using Turbine.Server.Tests.Grpc;

namespace Turbine.Server.Tests.Graphs;

/// <summary>A server with one routing graph per node type (over <c>simple</c>) and the iris_router sample.</summary>
public sealed class RoutingGraphServerFixture : IAsyncLifetime
{
    private const string Config = """
        name: "NAME"
        platform: "turbine_graph"
        max_batch_size: 8
        input [ { name: "A" data_type: TYPE_INT32 dims: [ 16 ] }, { name: "B" data_type: TYPE_INT32 dims: [ -1 ] } ]
        output [ { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ -1 ] }, { name: "OUTPUT1" data_type: TYPE_INT32 dims: [ 16 ] } ]
        """;

    private const string Straight = "{ name: straight, serviceName: simple, inputMap: { INPUT0: A, INPUT1: B }";
    private const string Swapped = "{ name: swapped, serviceName: simple, inputMap: { INPUT0: B, INPUT1: A }";

    /// <summary>Graph name → graph.yaml.</summary>
    public static readonly IReadOnlyDictionary<string, string> Graphs = new Dictionary<string, string>
    {
        ["seq"] = $"nodes:\n  root:\n    routerType: Sequence\n    steps:\n      - {Straight} }}\n      - {{ name: again, serviceName: simple, data: $response, inputMap: {{ INPUT0: OUTPUT0, INPUT1: OUTPUT1 }} }}\n",
        ["switch"] = $"nodes:\n  root:\n    routerType: Switch\n    steps:\n      - {Swapped}, condition: 'params.mode == \"swap\"' }}\n",
        ["split"] = $"nodes:\n  root:\n    routerType: Splitter\n    steps:\n      - {Straight}, weight: 100 }}\n",
        ["ens"] = $"nodes:\n  root:\n    routerType: Ensemble\n    combiner: concatenate\n    steps:\n      - {Straight} }}\n      - {Swapped} }}\n",
        ["hard"] = $"nodes:\n  root:\n    routerType: Sequence\n    steps:\n      - {{ name: broken, serviceName: simple, inputMap: {{ INPUT0: NOPE }}, dependency: Hard }}\n      - {Straight} }}\n",
    };

    public ServerHarness Harness { get; private set; } = null!;

    public async Task InitializeAsync() => Harness = await ServerHarness.StartAsync(prepare: root =>
    {
        SampleGraphs.WriteIrisRouter(root);
        foreach (var (name, yaml) in Graphs)
        {
            SampleGraphs.WriteModel(root, name, Config.Replace("NAME", name, StringComparison.Ordinal), new Dictionary<string, string> { ["graph.yaml"] = yaml });
        }
    });

    public async Task DisposeAsync() => await Harness.DisposeAsync();
}

/// <summary>Each node type and each error path over REST and gRPC; A[i] = i and B[i] = 1.</summary>
public sealed class RoutingGraphServerTests(RoutingGraphServerFixture fixture) : IClassFixture<RoutingGraphServerFixture>
{
    private static readonly int[] A = [.. Enumerable.Range(0, 16)];
    private static readonly int[] B = [.. Enumerable.Repeat(1, 16)];

    private ServerHarness H => fixture.Harness;

    public static TheoryData<string, string, string?, int[]> Routes => new()
    {
        { "seq", "OUTPUT0", null, [.. A.Select(a => 2 * a)] },
        { "switch", "OUTPUT1", "swap", [.. A.Select(a => 1 - a)] },
        { "split", "OUTPUT1", null, [.. A.Select(a => a - 1)] },
        { "ens", "OUTPUT0", null, [.. A.Select(a => a + 1), .. A.Select(a => a + 1)] },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Infer_EachNodeType_SameAnswerOverRestAndGrpc(string graph, string output, string? mode, int[] expected)
    {
        var (status, body) = await H.PostJsonAsync($"/v2/models/{graph}/infer", Json(mode, output));
        using var c = new GrpcTestClient(H.Server.GrpcAddress);
        var grpc = await c.Client.ModelInferAsync(Request(graph, mode, output));

        Assert.Equal(200, status);
        var rest = Assert.Single(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal(expected, rest.GetProperty("data").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(graph, grpc.ModelName);
        Assert.Equal(output, Assert.Single(grpc.Outputs).Name);
        Assert.Equal(expected, GrpcTestClient.Values<int>(grpc.RawOutputContents[0]));
        Assert.Equal([1L, expected.Length], grpc.Outputs[0].Shape);
    }

    [Theory]
    [InlineData("switch", "in graph 'switch', node 'root': no Switch condition holds ('swapped': params.mode == \"swap\")")]
    [InlineData("hard", "in graph 'hard', node 'root' step 'broken' (model 'simple'): ")]
    public async Task Infer_ErrorPath_SameErrorOverRestAndGrpc(string graph, string expected)
    {
        var (status, body) = await H.PostJsonAsync($"/v2/models/{graph}/infer", Json(null, "OUTPUT0"));
        using var c = new GrpcTestClient(H.Server.GrpcAddress);
        var rpc = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(Request(graph, null, "OUTPUT0")));

        Assert.Equal(400, status);
        Assert.StartsWith(expected, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.StartsWith(expected, rpc.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IrisRouter_MetadataAndInference_OverRestAndGrpc()
    {
        var (_, metadata) = await H.GetJsonAsync("/v2/models/iris_router");
        using var c = new GrpcTestClient(H.Server.GrpcAddress);
        var grpcMetadata = await c.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "iris_router" });
        var json = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}";
        var (status, body) = await H.PostJsonAsync("/v2/models/iris_router/infer", json);
        var request = new ModelInferRequest { ModelName = "iris_router" };
        request.Inputs.Add(GrpcTestClient.Input("input", "FP32", 1, 4));
        request.RawInputContents.Add(GrpcTestClient.Bytes(new[] { 6.7f, 3.0f, 5.2f, 2.3f }));
        var grpc = await c.Client.ModelInferAsync(request);

        Assert.Equal("turbine_graph", metadata.GetProperty("platform").GetString());
        Assert.Equal("turbine_graph", grpcMetadata.Platform);
        Assert.Equal(200, status);
        Assert.Equal(5.1 + 3.5, body.GetProperty("outputs")[0].GetProperty("data")[0].GetDouble(), 4);
        Assert.Equal(5.2f + 2.3f, GrpcTestClient.Values<float>(grpc.RawOutputContents[0])[0], 4);
        var stats = await c.Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "iris_router" });
        Assert.True(Assert.Single(stats.ModelStats).InferenceStats.Success.Count >= 2);
    }

    [Fact]
    public async Task Load_BadGraph_RefusedOverRestAndGrpcWithTheReason()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit, prepare: root => SampleGraphs.WriteModel(root, "bad",
            "name: \"bad\"\nplatform: \"turbine_graph\"\ninput [ { name: \"A\" data_type: TYPE_INT32 dims: [ 16 ] } ]\noutput [ { name: \"OUTPUT0\" data_type: TYPE_INT32 dims: [ 16 ] } ]\n",
            new Dictionary<string, string> { ["graph.yaml"] = "nodes:\n  root:\n    routerType: Splitter\n    steps: [ { serviceName: simple, weight: 60 } ]\n" }));
        using var c = new GrpcTestClient(h.Server.GrpcAddress);

        var (status, body) = await h.PostJsonAsync("/v2/repository/models/bad/load", "{}");
        var rpc = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "bad" }));

        Assert.Equal(400, status);
        Assert.Contains("node 'root': Splitter weights must sum to 100, got 60", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Contains("node 'root': Splitter weights must sum to 100, got 60", rpc.Status.Detail, StringComparison.Ordinal);
    }

    private static string Json(string? mode, string output) =>
        $"{{{(mode is null ? "" : $"\"parameters\":{{\"mode\":\"{mode}\"}},")}\"inputs\":[{{\"name\":\"A\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[{string.Join(",", A)}]}},{{\"name\":\"B\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[{string.Join(",", B)}]}}],\"outputs\":[{{\"name\":\"{output}\"}}]}}";

    private static ModelInferRequest Request(string graph, string? mode, string output)
    {
        var request = new ModelInferRequest { ModelName = graph };
        request.Inputs.Add(GrpcTestClient.Input("A", "INT32", 1, 16));
        request.Inputs.Add(GrpcTestClient.Input("B", "INT32", 1, 16));
        request.RawInputContents.Add(GrpcTestClient.Bytes(A));
        request.RawInputContents.Add(GrpcTestClient.Bytes(B));
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = output });
        if (mode is not null)
        {
            request.Parameters["mode"] = new InferParameter { StringParam = mode };
        }

        return request;
    }
}
