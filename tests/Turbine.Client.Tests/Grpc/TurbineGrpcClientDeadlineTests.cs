using Grpc.Core;
using Turbine.Protocol.Grpc;

namespace Turbine.Client.Tests.Grpc;

public sealed class TurbineGrpcClientDeadlineTests
{
    private static void Hang(GrpcTestServer server, TaskCompletionSource entered) =>
        server.Service.Infer = async (_, context) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new ModelInferResponse();
        };

    [Fact]
    public async Task InferAsync_DeadlinePasses_ThrowsDeadlineExceededAndServerSawDeadline()
    {
        await using var server = await GrpcTestServer.StartAsync();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Hang(server, entered);
        using var client = server.CreateClient();
        // Long enough that the call reaches the server's handler before it expires, even on a loaded machine.
        var deadline = DateTime.UtcNow.AddSeconds(3);

        var e = await Assert.ThrowsAsync<TurbineClientException>(() =>
            client.InferAsync("m", [TestInputs.Create("FP32")], options: new InferOptions { Deadline = deadline }));

        Assert.Equal(StatusCode.DeadlineExceeded, e.GrpcStatusCode);
        Assert.True(entered.Task.IsCompleted);
        var seen = server.Service.Deadlines.Single();
        Assert.InRange(seen, deadline.AddSeconds(-5), deadline.AddSeconds(1));
    }

    [Fact]
    public async Task InferAsync_TokenCancelled_ThrowsCancelled()
    {
        await using var server = await GrpcTestServer.StartAsync();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Hang(server, entered);
        using var client = server.CreateClient();
        using var cts = new CancellationTokenSource();

        var call = client.InferAsync("m", [TestInputs.Create("FP32")], ct: cts.Token);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cts.CancelAsync();
        var e = await Assert.ThrowsAsync<TurbineClientException>(() => call);

        Assert.Equal(StatusCode.Cancelled, e.GrpcStatusCode);
    }
}
