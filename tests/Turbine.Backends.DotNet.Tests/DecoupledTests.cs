using Google.Protobuf;
using Grpc.Core;
using Turbine.Protocol.Grpc;

namespace Turbine.Backends.DotNet.Tests;

/// <summary>Decoupled models over gRPC streams (triton_final_response, empty final responses), REST and unary gRPC.</summary>
[Collection(DotNetModelsCollection.Name)]
public sealed class DecoupledTests(TestModelsFixture models) : IAsyncLifetime
{
    private DotNetServer _server = null!;

    public async Task InitializeAsync() => _server = await DotNetServer.StartAsync(repo =>
    {
        DotNetServer.AddModel(repo, "counter", models.Output, Models.Counter());
        DotNetServer.AddModel(repo, "counter_final", models.Output, Models.Counter(("final_on_last", "1")));
        DotNetServer.AddModel(repo, "addone", models.Output, Models.Fp32("AddOffset"));
    }, ["counter", "counter_final", "addone"]);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static ModelInferRequest Count(string model, int count, string id, bool? emptyFinal = null)
    {
        var request = new ModelInferRequest { ModelName = model, Id = id };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "COUNT", Datatype = "INT32" };
        input.Shape.Add(1);
        request.Inputs.Add(input);
        request.RawInputContents.Add(ByteString.CopyFrom(BitConverter.GetBytes(count)));
        if (emptyFinal is { } e)
        {
            request.Parameters["triton_enable_empty_final_response"] = new InferParameter { BoolParam = e };
        }

        return request;
    }

    private static int Value(ModelInferResponse response) => BitConverter.ToInt32(response.RawOutputContents[0].Span);

    private static bool Final(ModelInferResponse response) => response.Parameters["triton_final_response"].BoolParam;

    private async Task<List<ModelStreamInferResponse>> StreamAsync(params ModelInferRequest[] requests)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var call = _server.Grpc.ModelStreamInfer(cancellationToken: timeout.Token);
        foreach (var r in requests)
        {
            await call.RequestStream.WriteAsync(r, timeout.Token);
        }

        await call.RequestStream.CompleteAsync();
        var all = new List<ModelStreamInferResponse>();
        await foreach (var response in call.ResponseStream.ReadAllAsync(timeout.Token))
        {
            all.Add(response);
        }

        return all;
    }

    [Fact]
    public async Task Stream_DecoupledModel_EveryResponseCarriesFinalFalse_FlagOnlyFinalSentOnlyWhenAsked()
    {
        var responses = await StreamAsync(Count("counter", 3, "plain"), Count("counter", 2, "empty", emptyFinal: true));

        var plain = responses.Where(r => r.InferResponse.Id == "plain").ToList();
        Assert.All(plain, r => Assert.Empty(r.ErrorMessage));
        Assert.Equal([0, 1, 2], plain.Select(r => Value(r.InferResponse)));
        Assert.All(plain, r => Assert.False(Final(r.InferResponse)));

        var empty = responses.Where(r => r.InferResponse.Id == "empty").ToList();
        Assert.Equal(3, empty.Count);
        Assert.Equal([0, 1], empty.Take(2).Select(r => Value(r.InferResponse)));
        Assert.Equal([false, false, true], empty.Select(r => Final(r.InferResponse)));
        Assert.Empty(empty[2].InferResponse.Outputs);
        Assert.Equal("counter", empty[2].InferResponse.ModelName);
    }

    [Fact]
    public async Task Stream_FinalFlagOnLastResponse_LastIsFinal_ZeroResponsesWithEmptyFinal()
    {
        var responses = await StreamAsync(Count("counter_final", 2, "two"), Count("counter", 0, "none", emptyFinal: true), Count("addone_missing", 1, "bad"));
        var two = responses.Where(r => r.InferResponse.Id == "two").ToList();
        Assert.Equal([0, 1], two.Select(r => Value(r.InferResponse)));
        Assert.Equal([false, true], two.Select(r => Final(r.InferResponse)));

        var none = Assert.Single(responses, r => r.InferResponse.Id == "none");
        Assert.True(Final(none.InferResponse));
        Assert.Empty(none.InferResponse.Outputs);

        var bad = Assert.Single(responses, r => r.InferResponse.Id == "bad");
        Assert.Contains("Request for unknown model: 'addone_missing' is not found", bad.ErrorMessage);
        Assert.True(Final(bad.InferResponse));
    }

    [Fact]
    public async Task Stream_OrdinaryModel_OneResponseMarkedFinal()
    {
        var request = new ModelInferRequest { ModelName = "addone", Id = "o" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "INPUT0", Datatype = "FP32" };
        input.Shape.Add([1, 1]);
        request.Inputs.Add(input);
        request.RawInputContents.Add(ByteString.CopyFrom(BitConverter.GetBytes(41f)));
        var response = Assert.Single(await StreamAsync(request));
        Assert.True(Final(response.InferResponse));
        Assert.Equal(42f, BitConverter.ToSingle(response.InferResponse.RawOutputContents[0].Span));
    }

    [Fact]
    public async Task Rest_DecoupledSingleResponse_Answered_MultiResponse_RefusedWithTritonsMessage()
    {
        var (one, body) = await _server.PostJsonAsync("/v2/models/counter/infer",
            "{\"inputs\":[{\"name\":\"COUNT\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[1]}]}");
        Assert.Equal(200, one);
        Assert.Equal(0, body.GetProperty("outputs")[0].GetProperty("data")[0].GetInt32());

        var (three, error) = await _server.PostJsonAsync("/v2/models/counter/infer",
            "{\"inputs\":[{\"name\":\"COUNT\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[3]}]}");
        Assert.Equal(500, three);
        Assert.Equal("expected a single response, got 3", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task GrpcUnary_DecoupledModel_RefusedWithTritonsMessage()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await _server.Grpc.ModelInferAsync(Count("counter", 1, "u")));
        Assert.Equal(Grpc.Core.StatusCode.Unimplemented, e.StatusCode);
        Assert.Equal("ModelInfer RPC doesn't support models with decoupled transaction policy", e.Status.Detail);
    }

    [Fact]
    public async Task Stream_ClientCutsAnEndlessStream_EverythingIsReleased_TheVersionUnloads()
    {
        using (var cut = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            using var call = _server.Grpc.ModelStreamInfer(cancellationToken: cut.Token);
            await call.RequestStream.WriteAsync(Count("counter", -1, "endless"), cut.Token);
            var seen = 0;
            await foreach (var response in call.ResponseStream.ReadAllAsync(cut.Token))
            {
                Assert.Equal(seen, Value(response.InferResponse));
                Assert.False(Final(response.InferResponse));
                if (++seen == 5)
                {
                    break;
                }
            }

            await cut.CancelAsync();
        }

        // Nothing holds the version any more: it unloads, and its assembly context is collected.
        var contexts = _server.Backend.Contexts;
        var counterContexts = contexts.Where(c => c.Target is System.Runtime.Loader.AssemblyLoadContext { Name: "counter/1" }).ToList();
        Assert.Single(counterContexts);
        var (status, body) = await _server.PostJsonAsync("/v2/repository/models/counter/unload", "{}");
        Assert.True(status == 200, body.ToString());
        await Poll.UntilOrFailAsync(async () => !(await _server.Http.GetAsync("/v2/models/counter/ready")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30), () => "counter still ready after unload");
        Assert.True(await DotNetServer.CollectedAsync(counterContexts, TimeSpan.FromSeconds(30)), "the counter model's load context was not collected after the cut stream and the unload");
    }
}
