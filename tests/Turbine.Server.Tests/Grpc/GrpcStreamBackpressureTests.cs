using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Protocol.Grpc;
using Turbine.Server.Grpc;
using Turbine.Server.Http;

namespace Turbine.Server.Tests.Grpc;

/// <summary>
/// ModelStreamInfer backpressure (issue 11, item 6): a client that sends many requests and never reads the answers
/// makes the server stop reading its requests once the stream's unwritten responses reach the limit; when the client
/// reads again, every request is answered.
/// </summary>
public sealed class GrpcStreamBackpressureTests
{
    private const int MaxPending = 4;
    private const int Total = 120;

    [Fact]
    public async Task ModelStreamInfer_ClientNeverReads_ServerStopsReadingAtLimitThenResumes()
    {
        await using var h = await ServerHarness.StartAsync(configure: o => o with { GrpcStreamMaxPending = MaxPending });
        var flow = h.Server.Services.GetRequiredService<StreamFlow>();
        var budget = h.Server.Services.GetRequiredService<RequestBodyBudget>();
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var call = c.Client.ModelStreamInfer(cancellationToken: timeout.Token);

        // 64 KB answers fill the client's HTTP/2 receive window after a few, so writes stop completing.
        var payload = Google.Protobuf.ByteString.CopyFrom(new byte[64 * 1024]);
        var sent = 0;
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < Total; i++)
            {
                await call.RequestStream.WriteAsync(Identity(payload, "id-" + i), timeout.Token);
                Interlocked.Increment(ref sent);
            }

            await call.RequestStream.CompleteAsync();
        });

        // The server pauses: its reading waits for a slot that only a written response gives back.
        Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(flow.StreamsWaiting == 1), TimeSpan.FromSeconds(60)),
            $"the server never paused reading (read {flow.RequestsRead}, answered {flow.ResponsesDone})");
        Assert.InRange(flow.RequestsRead - flow.ResponsesDone, 1, MaxPending);
        Assert.True(flow.RequestsRead < Total, $"the server read all {flow.RequestsRead} requests although nothing was read from it");
        Assert.False(writer.IsCompleted);

        // Reading resumes: every request is answered once, with its own id and data.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var response in call.ResponseStream.ReadAllAsync(timeout.Token))
        {
            Assert.True(response.ErrorMessage.Length == 0, response.ErrorMessage);
            Assert.True(seen.Add(response.InferResponse.Id), $"duplicate {response.InferResponse.Id}");
            Assert.Equal(4 + payload.Length, response.InferResponse.RawOutputContents[0].Length);
        }

        await writer;
        Assert.Equal(Total, sent);
        Assert.Equal(Enumerable.Range(0, Total).Select(i => "id-" + i).ToHashSet(), seen);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.InRange(flow.MaxPendingSeen, 1, MaxPending);
        Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(flow.ResponsesDone == flow.RequestsRead), TimeSpan.FromSeconds(30)));
        Assert.Equal(0, budget.CurrentBytes);
    }

    private static ModelInferRequest Identity(Google.Protobuf.ByteString payload, string id)
    {
        var request = new ModelInferRequest { ModelName = "simple_identity", Id = id };
        var input = GrpcTestClient.Input("INPUT0", "BYTES", 1, 1);
        input.Contents = new InferTensorContents();
        input.Contents.BytesContents.Add(payload);
        request.Inputs.Add(input);
        return request;
    }
}
