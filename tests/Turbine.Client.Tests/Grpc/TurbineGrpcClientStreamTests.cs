using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;
using Turbine.Protocol.Grpc;

namespace Turbine.Client.Tests.Grpc;

public sealed class TurbineGrpcClientStreamTests
{
    private static async IAsyncEnumerable<InferStreamRequest> Requests(int count, [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (var i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return new InferStreamRequest(
                "m",
                [new InferInput("IN", [1], "INT32").SetData([i])],
                Options: new InferOptions { RequestId = $"req-{i}" });
        }
    }

    /// <summary>Echoes each request's value as output "OUT"; every tenth request (i % 10 == 3) gets an error_message.</summary>
    private static async Task EchoWithErrors(IAsyncStreamReader<ModelInferRequest> requests, IServerStreamWriter<ModelStreamInferResponse> responses, ServerCallContext context)
    {
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            var value = BitConverter.ToInt32(request.RawInputContents[0].Span);
            var infer = new ModelInferResponse { ModelName = request.ModelName, Id = request.Id };
            if (value % 10 == 3)
            {
                await responses.WriteAsync(new ModelStreamInferResponse { ErrorMessage = $"failed {value}", InferResponse = infer });
                continue;
            }

            infer.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = "OUT", Datatype = "INT32", Shape = { 1 } });
            infer.RawOutputContents.Add(request.RawInputContents[0]);
            await responses.WriteAsync(new ModelStreamInferResponse { InferResponse = infer });
        }
    }

    [Fact]
    public async Task StreamInferAsync_1000RequestsWithSomeErrors_EveryResponseMatchedToItsIdAndStreamContinues()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Stream = EchoWithErrors;
        using var client = server.CreateClient();

        var results = new List<InferStreamResult>();
        await foreach (var result in client.StreamInferAsync(Requests(1000)))
        {
            results.Add(result);
        }

        Assert.Equal(1000, results.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"req-{i}").Order(), results.Select(r => r.Id!).Order());
        foreach (var result in results)
        {
            var i = int.Parse(result.Id!["req-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            if (i % 10 == 3)
            {
                Assert.False(result.IsSuccess);
                Assert.Null(result.Result);
                Assert.Equal($"failed {i}", result.Error!.ServerMessage);
                Assert.Equal(result.Id, result.Error.RequestId);
                Assert.Equal(StatusCode.Unknown, result.Error.GrpcStatusCode);
                Assert.Same(result.Error, Assert.Throws<TurbineClientException>(() => result.GetResult()));
            }
            else
            {
                Assert.True(result.IsSuccess);
                Assert.Equal([i], result.GetResult().GetOutput("OUT").AsArray<int>());
                Assert.Equal(result.Id, result.Result!.Id);
            }
        }

        Assert.Equal(100, results.Count(r => !r.IsSuccess));
    }

    [Fact]
    public async Task StreamInferAsync_ServerFailsTheCall_ThrowsTurbineClientExceptionAfterEarlierResults()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Stream = async (requests, responses, context) =>
        {
            await requests.MoveNext(context.CancellationToken);
            await responses.WriteAsync(new ModelStreamInferResponse { InferResponse = new ModelInferResponse { Id = requests.Current.Id } });
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "too many"));
        };
        using var client = server.CreateClient();

        var seen = new List<string?>();
        var e = await Assert.ThrowsAsync<TurbineClientException>(async () =>
        {
            await foreach (var result in client.StreamInferAsync(Requests(5)))
            {
                seen.Add(result.Id);
            }
        });

        Assert.Equal(["req-0"], seen);
        Assert.Equal(StatusCode.ResourceExhausted, e.GrpcStatusCode);
        Assert.Equal("too many", e.ServerMessage);
    }

    [Fact]
    public async Task StreamInferAsync_RequestCannotBeBuilt_ThrowsArgumentException()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Stream = EchoWithErrors;
        using var client = server.CreateClient();

        static async IAsyncEnumerable<InferStreamRequest> Bad()
        {
            await Task.Yield();
            yield return new InferStreamRequest("m", [TestInputs.Create("FP16")], Options: new InferOptions { GrpcTypedContents = true });
        }

        var e = await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var _ in client.StreamInferAsync(Bad()))
            {
            }
        });

        Assert.Contains("FP16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamInferAsync_TokenCancelled_ThrowsCancelled()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Stream = EchoWithErrors;
        using var client = server.CreateClient();
        using var cts = new CancellationTokenSource();

        async IAsyncEnumerable<InferStreamRequest> OneThenWait([EnumeratorCancellation] CancellationToken ct = default)
        {
            await foreach (var r in Requests(1, ct))
            {
                yield return r;
            }

            await Task.Delay(Timeout.Infinite, ct);
        }

        var received = 0;
        var e = await Assert.ThrowsAsync<TurbineClientException>(async () =>
        {
            await foreach (var _ in client.StreamInferAsync(OneThenWait(), cts.Token))
            {
                received++;
                await cts.CancelAsync();
            }
        });

        Assert.Equal(1, received);
        Assert.Equal(StatusCode.Cancelled, e.GrpcStatusCode);
    }

    [Fact]
    public async Task StreamInferAsync_RawInputs_SentOnTheStreamUnchanged()
    {
        await using var server = await GrpcTestServer.StartAsync();
        var received = new List<ModelInferRequest>();
        server.Service.Stream = async (requests, responses, context) =>
        {
            await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
            {
                received.Add(request);
                await responses.WriteAsync(new ModelStreamInferResponse { InferResponse = new ModelInferResponse { Id = request.Id } });
            }
        };
        using var client = server.CreateClient();

        await foreach (var _ in client.StreamInferAsync(Requests(3)))
        {
        }

        Assert.Equal(["req-0", "req-1", "req-2"], received.Select(r => r.Id));
        Assert.Equal(ByteString.CopyFrom(BitConverter.GetBytes(2)), received[2].RawInputContents[0]);
        Assert.All(received, r => Assert.Equal("m", r.ModelName));
    }
}
