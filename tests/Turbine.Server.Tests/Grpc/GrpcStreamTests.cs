using Grpc.Core;
using Turbine.Protocol.Grpc;

namespace Turbine.Server.Tests.Grpc;

/// <summary>ModelStreamInfer: many requests in flight on one stream, errors answered in-band.</summary>
public sealed class GrpcStreamTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private GrpcTestClient NewClient() => new(fixture.Harness.Server.GrpcAddress);

    [Fact]
    public async Task ModelStreamInfer_ThousandRequests_EveryResponseMatchedByIdWithBadOnesInBand()
    {
        const int total = 1000;
        using var c = NewClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var call = c.Client.ModelStreamInfer(cancellationToken: timeout.Token);

        static bool IsBad(int i) => i % 97 == 50;
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < total; i++)
            {
                var request = i % 2 == 0 ? GrpcTestClient.SimpleRaw(i, "id-" + i) : GrpcTestClient.SimpleTyped(i, "id-" + i);
                if (IsBad(i))
                {
                    request.Inputs[0].Shape[1] = 15; // wrong shape (raw: also the wrong size)
                }

                await call.RequestStream.WriteAsync(request, timeout.Token);
            }

            await call.RequestStream.CompleteAsync();
        });

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var errors = 0;
        await foreach (var response in call.ResponseStream.ReadAllAsync(timeout.Token))
        {
            var id = response.InferResponse.Id;
            Assert.True(seen.Add(id), $"duplicate response for {id}");
            var i = int.Parse(id["id-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            if (IsBad(i))
            {
                errors++;
                Assert.Contains(
                    i % 2 == 0 ? "expected shape [-1,16], got [1,15]" : "input 'INPUT0': shape [1,15] needs 15 elements, but int_contents holds 16",
                    response.ErrorMessage);
                Assert.Equal("simple", response.InferResponse.ModelName);
                Assert.Empty(response.InferResponse.Outputs);
            }
            else
            {
                Assert.True(response.ErrorMessage.Length == 0, response.ErrorMessage);
                GrpcTestClient.AssertSimple(response.InferResponse, i);
            }
        }

        await writer;
        Assert.Equal(total, seen.Count);
        Assert.Equal(Enumerable.Range(0, total).Count(IsBad), errors);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ModelStreamInfer_UnknownModelAndParseErrors_AnsweredInBandStreamStaysOpen()
    {
        using var c = NewClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = c.Client.ModelStreamInfer(cancellationToken: timeout.Token);

        var unknown = GrpcTestClient.SimpleRaw(0, "a");
        unknown.ModelName = "nosuch";
        await call.RequestStream.WriteAsync(unknown, timeout.Token);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal("a", call.ResponseStream.Current.InferResponse.Id);
        Assert.Equal("nosuch", call.ResponseStream.Current.InferResponse.ModelName);
        Assert.Equal("Request for unknown model: 'nosuch' is not found", call.ResponseStream.Current.ErrorMessage);

        var both = GrpcTestClient.SimpleRaw(0, "b");
        both.Inputs[0].Contents = new InferTensorContents();
        both.Inputs[0].Contents.IntContents.Add(1);
        await call.RequestStream.WriteAsync(both, timeout.Token);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal("b", call.ResponseStream.Current.InferResponse.Id);
        Assert.Contains("not both", call.ResponseStream.Current.ErrorMessage);

        await call.RequestStream.WriteAsync(GrpcTestClient.SimpleTyped(3, "c"), timeout.Token);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal("", call.ResponseStream.Current.ErrorMessage);
        Assert.Equal("c", call.ResponseStream.Current.InferResponse.Id);
        GrpcTestClient.AssertSimple(call.ResponseStream.Current.InferResponse, 3);

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ModelStreamInfer_ClientDisposesMidStream_ServerKeepsServing()
    {
        using var c = NewClient();
        for (var round = 0; round < 3; round++)
        {
            var call = c.Client.ModelStreamInfer();
            for (var i = 0; i < 300; i++)
            {
                await call.RequestStream.WriteAsync(GrpcTestClient.SimpleRaw(i, "gone-" + i));
            }

            // Read a few so requests are known to be running, then go away with the rest in flight, unread.
            Assert.True(await call.ResponseStream.MoveNext());
            call.Dispose();
        }

        GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(GrpcTestClient.SimpleRaw(8)), 8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var next = c.Client.ModelStreamInfer(cancellationToken: timeout.Token);
        await next.RequestStream.WriteAsync(GrpcTestClient.SimpleTyped(9, "after"), timeout.Token);
        await next.RequestStream.CompleteAsync();
        var responses = await next.ResponseStream.ReadAllAsync(timeout.Token).ToListAsync(timeout.Token);
        var only = Assert.Single(responses);
        Assert.Equal("after", only.InferResponse.Id);
        GrpcTestClient.AssertSimple(only.InferResponse, 9);
    }
}
