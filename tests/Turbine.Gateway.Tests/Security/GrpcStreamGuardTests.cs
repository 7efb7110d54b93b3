using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Turbine.Client;
using Turbine.Gateway.Auth;
using Turbine.Gateway.Tests.TestSupport;
using Turbine.Samples;

namespace Turbine.Gateway.Tests.Security;

/// <summary>
/// Every message of a gRPC call is authorised and rate-limited on its own (issue 11, item 2), and the gateway reads
/// only the start of a call's first message before authentication (item 5).
/// </summary>
public sealed class GrpcStreamGuardTests
{
    private const string IrisKey = "iris-only-secret";
    private const string LimitedKey = "limited-secret";

    private static async Task<GatewayHarness> StartAsync()
    {
        var h = await GatewayHarness.StartServersAsync(1, prepareRepository: (_, repo) => SampleRepository.CreateModel(repo, "iris"));
        await h.StartGatewayAsync($$"""
            pools:
              main:
                replicas: [{{h.Replica(0)}}]
            models:
              "*": {pool: main}
            auth:
              apiKeys:
                - id: iris-only
                  hash: {{ApiKeyHasher.Hash(IrisKey)}}
                  models: [iris]
                - id: limited
                  hash: {{ApiKeyHasher.Hash(LimitedKey)}}
            rateLimits:
              keys:
                limited: {requests: 5, periodSeconds: 3600}
            """);
        return h;
    }

    [Fact]
    public async Task StreamInfer_ForbiddenModelAfterAllowedFirstMessage_PermissionDeniedAndNotServed()
    {
        await using var h = await StartAsync();
        using var grpc = GrpcClients.Create(h.Gateway!.GrpcAddress, new Dictionary<string, string> { ["x-api-key"] = IrisKey });

        var successes = 0;
        var error = await Assert.ThrowsAsync<TurbineClientException>(async () =>
        {
            await foreach (var r in grpc.StreamInferAsync(Requests(("iris", 1), ("simple", 200))))
            {
                Assert.True(r.IsSuccess, r.Error?.Message);
                successes++;
            }
        });

        Assert.Equal(StatusCode.PermissionDenied, error.GrpcStatusCode);
        Assert.Equal("caller 'iris-only' may not use model 'simple'", error.ServerMessage);
        Assert.Equal(1, successes);
        Assert.Equal(0, await h.InferCountAsync(0));

        // The gateway and the stream path stay usable for allowed traffic.
        var allowed = 0;
        await foreach (var r in grpc.StreamInferAsync(Requests(("iris", 3))))
        {
            Assert.True(r.IsSuccess, r.Error?.Message);
            allowed++;
        }

        Assert.Equal(3, allowed);
        Assert.Equal(HttpStatusCode.OK, (await h.Http.GetAsync("v2/health/ready")).StatusCode);
    }

    [Fact]
    public async Task StreamInfer_MessagesPastRateLimit_ResourceExhaustedAndNotServed()
    {
        await using var h = await StartAsync();
        using var grpc = GrpcClients.Create(h.Gateway!.GrpcAddress, new Dictionary<string, string> { ["x-api-key"] = LimitedKey });

        var successes = 0;
        var error = await Assert.ThrowsAsync<TurbineClientException>(async () =>
        {
            await foreach (var r in grpc.StreamInferAsync(Requests(("simple", 200))))
            {
                Assert.True(r.IsSuccess, r.Error?.Message);
                successes++;
            }
        });

        Assert.Equal(StatusCode.ResourceExhausted, error.GrpcStatusCode);
        Assert.Equal("rate limit exceeded for key 'limited' (5 requests per 3600 s)", error.ServerMessage);
        Assert.Equal(5, successes);
        Assert.Equal(5, await h.InferCountAsync(0));
        Assert.Equal(HttpStatusCode.OK, (await h.Http.GetAsync("v2/health/ready")).StatusCode);
    }

    [Fact]
    public async Task ModelInfer_SecondModelFieldLaterInMessage_RefusedAndNotServed()
    {
        await using var h = await StartAsync();
        using var http = Http2Client();

        // A message routed (and authorised) by its leading model field 'iris' that names 'simple' again at its end:
        // the server would read the last value.
        var message = Concat(Field(1, "iris"), Field(3, new string('x', 100_000)), Field(1, "simple"));
        using var response = await http.SendAsync(GrpcRequest(h.Gateway!.GrpcAddress, IrisKey, Frame(message, message.Length)));

        var (status, text) = await StatusOfAsync(response);
        Assert.Equal("3", status);
        Assert.Contains("names model 'simple'", text, StringComparison.Ordinal);
        Assert.Equal(0, await h.InferCountAsync(0));
        Assert.Equal(HttpStatusCode.OK, (await h.Http.GetAsync("v2/health/ready")).StatusCode);
    }

    [Fact]
    public async Task ModelInfer_SecondMessageInAUnaryCall_RefusedAndNotServed()
    {
        await using var h = await StartAsync();
        using var http = Http2Client();

        // A unary call carries one message: the gateway makes no per-message checks for it, so a second message (here
        // for a model the key may not use) must be refused outright, never handed to the server.
        var first = Field(1, "iris");
        var second = Field(1, "simple");
        var body = new byte[10 + first.Length + second.Length];
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)first.Length);
        first.CopyTo(body, 5);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(6 + first.Length), (uint)second.Length);
        second.CopyTo(body, 10 + first.Length);
        using var response = await http.SendAsync(GrpcRequest(h.Gateway!.GrpcAddress, IrisKey, new ByteArrayContent(body)));

        var (status, text) = await StatusOfAsync(response);
        Assert.Equal("3", status);
        Assert.Contains("a unary call carries one request message", text, StringComparison.Ordinal);
        Assert.Equal(0, await h.InferCountAsync(0));
        Assert.Equal(HttpStatusCode.OK, (await h.Http.GetAsync("v2/health/ready")).StatusCode);
    }

    [Fact]
    public async Task ModelInfer_HugeDeclaredFrameWithoutCredential_UnauthenticatedBeforeTheBodyArrives()
    {
        await using var h = await StartAsync();
        using var http = Http2Client();
        var prefix = Concat(Field(1, "simple"), [0x2A, 0x80, 0x80, 0x80, 0x1D]); // field 5 (inputs), 60 MiB follow
        var body = new HeldBody(Frame(prefix, 60 << 20));
        using var request = GrpcRequest(h.Gateway!.GrpcAddress, null, body);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // The old gateway allocated the declared 60 MiB and waited for them before authenticating.
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);

        Assert.Equal("16", response.Headers.GetValues("grpc-status").Single());
        body.Release();
        Assert.Equal(HttpStatusCode.OK, (await h.Http.GetAsync("v2/health/ready")).StatusCode);
    }

    private static async IAsyncEnumerable<InferStreamRequest> Requests(params (string Model, int Count)[] runs)
    {
        foreach (var (model, count) in runs)
        {
            for (var i = 0; i < count; i++)
            {
                await Task.Yield();
                yield return model == "iris"
                    ? new InferStreamRequest("iris", [new InferInput("input", [1, 4], "FP32").SetData(new[] { 5.1f, 3.5f, 1.4f, 0.2f })])
                    : new InferStreamRequest("simple", GrpcClients.SimpleInputs());
            }
        }
    }

    private static HttpClient Http2Client() => new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };

    private static HttpRequestMessage GrpcRequest(Uri gateway, string? key, HttpContent content)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "inference.GRPCInferenceService/ModelInfer"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", key);
        }

        return request;
    }

    private static async Task<(string? Status, string Message)> StatusOfAsync(HttpResponseMessage response)
    {
        await response.Content.ReadAsByteArrayAsync();
        var headers = response.Headers.TryGetValues("grpc-status", out var s) ? s : response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t : null;
        var message = response.Headers.TryGetValues("grpc-message", out var m) ? m : response.TrailingHeaders.TryGetValues("grpc-message", out var tm) ? tm : null;
        return (headers?.Single(), Uri.UnescapeDataString(message?.Single() ?? ""));
    }

    private static ByteArrayContent Frame(byte[] message, int declaredLength)
    {
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)declaredLength);
        message.CopyTo(frame, 5);
        return new ByteArrayContent(frame);
    }

    private static byte[] Field(int number, string value)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        var output = new MemoryStream();
        var coded = new Google.Protobuf.CodedOutputStream(output);
        coded.WriteTag(number, Google.Protobuf.WireFormat.WireType.LengthDelimited);
        coded.WriteBytes(Google.Protobuf.ByteString.CopyFrom(bytes));
        coded.Flush();
        return output.ToArray();
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    /// <summary>A request body that sends its bytes and then stays open until released.</summary>
    private sealed class HeldBody(ByteArrayContent first) : HttpContent
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await first.CopyToAsync(stream);
            await stream.FlushAsync();
            await _release.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
