using System.Net;
using System.Security.Cryptography;
using System.Text;
using Grpc.Net.Client;
using Turbine.Client;

namespace Turbine.EndToEnd.Tests;

/// <summary>
/// Issue 11, item 2 through real processes: a <c>turbine gateway</c> authorises and rate-limits every message of a
/// ModelStreamInfer call, not only the first.
/// </summary>
public sealed partial class GatewayTests
{
    [Fact]
    public async Task StreamInfer_ForbiddenModelAndRateLimitAfterFirstMessage_RefusedAndNeverServed()
    {
        await using var gateway = await GatewayProcess.StartAsync(replicas.Root, $$"""
            pools:
              one: {replicas: [{{replicas.Yaml(0)}}]}
            models:
              "*": {pool: one}
            auth:
              apiKeys:
                - {id: iris-only, hash: "{{Hash("stream-iris-key")}}", models: [iris]}
                - {id: stream-burst, hash: "{{Hash("stream-burst-key")}}", models: [simple]}
            rateLimits:
              keys:
                stream-burst: {requests: 3, periodSeconds: 3600}
            accessLog: {enabled: false}
            """);
        var before = await replicas.InferCountAsync(0);

        // A key allowed only 'iris' opens the stream with 'iris' (the replica has no such model: an in-stream error)
        // and then streams 200 requests for 'simple'.
        using var irisOnly = KeyClient(gateway.Grpc, "stream-iris-key");
        var denied = await Assert.ThrowsAsync<TurbineClientException>(async () =>
        {
            await foreach (var _ in irisOnly.StreamInferAsync(Stream(("iris", 1), ("simple", 200))))
            {
            }
        });
        Assert.Equal(Grpc.Core.StatusCode.PermissionDenied, denied.GrpcStatusCode);
        Assert.Equal("caller 'iris-only' may not use model 'simple'", denied.ServerMessage);
        Assert.Equal(before, await replicas.InferCountAsync(0));

        // 200 messages on a key limited to 3 requests: 3 are served, then RESOURCE_EXHAUSTED.
        using var burst = KeyClient(gateway.Grpc, "stream-burst-key");
        var served = 0;
        var limited = await Assert.ThrowsAsync<TurbineClientException>(async () =>
        {
            await foreach (var r in burst.StreamInferAsync(Stream(("simple", 200))))
            {
                Assert.True(r.IsSuccess, r.Error?.Message);
                served++;
            }
        });
        Assert.Equal(Grpc.Core.StatusCode.ResourceExhausted, limited.GrpcStatusCode);
        Assert.Equal("rate limit exceeded for key 'stream-burst' (3 requests per 3600 s)", limited.ServerMessage);
        Assert.Equal(3, served);
        Assert.Equal(before + 3, await replicas.InferCountAsync(0));

        // The gateway keeps serving.
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("v2/health/ready")).StatusCode);
        using var ready = new TurbineGrpcClient(gateway.Grpc);
        Assert.True(await ready.IsReadyAsync());
    }

    private static string Hash(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static TurbineGrpcClient KeyClient(Uri address, string key) =>
        new(address, new GrpcChannelOptions { HttpHandler = new ApiKeyHandler(key) { InnerHandler = new SocketsHttpHandler() } });

    private sealed class ApiKeyHandler(string key) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", key);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private static async IAsyncEnumerable<InferStreamRequest> Stream(params (string Model, int Count)[] runs)
    {
        foreach (var (model, count) in runs)
        {
            for (var i = 0; i < count; i++)
            {
                await Task.Yield();
                yield return new InferStreamRequest(model, Inputs(i));
            }
        }
    }
}
