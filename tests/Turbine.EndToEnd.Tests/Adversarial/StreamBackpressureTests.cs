using Grpc.Core;
using Grpc.Net.Client;
using Turbine.Protocol.Grpc;

namespace Turbine.EndToEnd.Tests.Adversarial;

/// <summary>
/// Issue 11 item 6 against a real process: a client that writes ModelStreamInfer requests and never reads a response.
/// The server must stop reading requests once responses it cannot write pile up, so the client's writes stall, and the
/// server's resident memory stays bounded; once the client goes away the process is healthy.
/// </summary>
[Collection(AdversarialCollection.Name)]
public sealed class StreamBackpressureTests(HardenedServer server)
{
    [Fact]
    public async Task NeverReadingClient_ServerStopsReading_MemoryStaysBounded()
    {
        const int elements = 64 * 1024; // 256 KiB a request, and the same a response
        const int attempts = 4000; // 1 GiB of requests and 1 GiB of responses if nothing pushed back
        using var channel = GrpcChannel.ForAddress(server.Grpc, new GrpcChannelOptions { MaxReceiveMessageSize = int.MaxValue, MaxSendMessageSize = int.MaxValue });
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var request = new ModelInferRequest { ModelName = "identity_fp32" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "INPUT0", Datatype = "FP32" };
        input.Shape.Add([1, elements]);
        request.Inputs.Add(input);
        request.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom(new byte[elements * 4]));

        var before = ProcessMemory.ResidentBytes(server.Pid);
        using var call = client.ModelStreamInfer();
        var written = 0;
        Task? pending = null;
        for (var i = 0; i < attempts; i++)
        {
            var write = call.RequestStream.WriteAsync(request);
            var done = await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(3)));
            if (done != write)
            {
                pending = write;
                break;
            }

            await write;
            written++;
        }

        var stalled = pending is not null;

        var during = ProcessMemory.ResidentBytes(server.Pid);
        Assert.True(stalled, $"the server read all {written} requests although the client read no response");
        Assert.True(during - before < 512L * 1024 * 1024, $"resident memory grew {(during - before) >> 20} MiB while the client did not read ({written} requests written)");

        // The client reads again: everything written is answered, in order of completion, with the right shape.
        var answered = 0;
        var reader = Task.Run(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                Assert.Equal("", call.ResponseStream.Current.ErrorMessage);
                Assert.Equal(elements * 4, call.ResponseStream.Current.InferResponse.RawOutputContents[0].Length);
                answered++;
            }
        });
        if (pending is not null)
        {
            await pending.WaitAsync(TimeSpan.FromSeconds(60));
            written++;
        }

        await call.RequestStream.CompleteAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await reader.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.True(answered == written, $"{answered} answers for {written} requests");
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        await server.AssertHealthyAsync();
    }
}
