using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Grpc.Core;
using Turbine.Protocol.Grpc;
using Turbine.Server.Tests.Grpc;

namespace Turbine.Server.Tests.Security;

/// <summary>
/// System shared memory registration, unregistration and status are management operations (they make the server map a
/// file and write into it): guarded by the management token like repository load/unload. Naming a registered region in
/// an inference request is inference, and needs no token. Also: the gRPC stream reads and writes regions like ModelInfer.
/// </summary>
public sealed class SharedMemoryManagementAuthTests : IDisposable
{
    private const string Token = "s3cret-management-token-0123456789";
    private readonly string _key = "/turbine-server-test-" + Guid.NewGuid().ToString("N");

    public SharedMemoryManagementAuthTests()
    {
        var bytes = new byte[256];
        Buffer.BlockCopy(Enumerable.Range(0, 16).ToArray(), 0, bytes, 0, 64);
        Buffer.BlockCopy(Enumerable.Repeat(1, 16).ToArray(), 0, bytes, 64, 64);
        File.WriteAllBytes("/dev/shm" + _key, bytes);
    }

    public void Dispose() => File.Delete("/dev/shm" + _key);

    private static CallOptions Bearer(string token) => new(new Metadata { { "authorization", "Bearer " + token } });

    private static async Task<HttpStatusCode> SendAsync(ServerHarness h, HttpMethod method, string path, string body, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await h.Http.SendAsync(request);
        return response.StatusCode;
    }

    private ModelInferRequest ShmRequest()
    {
        var request = new ModelInferRequest { ModelName = "simple" };
        foreach (var (name, offset) in new[] { ("INPUT0", 0L), ("INPUT1", 64L) })
        {
            var input = GrpcTestClient.Input(name, "INT32", 1, 16);
            input.Parameters["shared_memory_region"] = new InferParameter { StringParam = "in" };
            input.Parameters["shared_memory_offset"] = new InferParameter { Int64Param = offset };
            input.Parameters["shared_memory_byte_size"] = new InferParameter { Int64Param = 64 };
            request.Inputs.Add(input);
        }

        return request;
    }

    [Fact]
    public async Task SharedMemoryCalls_WithToken_MissingOrWrongRefusedRightAllowedInferenceOpen()
    {
        await using var h = await ServerHarness.StartAsync(configure: o => o with { ManagementToken = Token });
        var register = $$"""{"key":"{{_key}}","offset":0,"byte_size":256}""";
        foreach (var token in new string?[] { null, "wrong-token-0123456789" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(h, HttpMethod.Post, "/v2/systemsharedmemory/region/in/register", register, token));
            Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(h, HttpMethod.Get, "/v2/systemsharedmemory/status", "", token));
            Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(h, HttpMethod.Post, "/v2/systemsharedmemory/unregister", "", token));
        }

        Assert.Empty(h.Server.Engine.SharedMemory.Status("").Value!);
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.SystemSharedMemoryRegisterAsync(
            new SystemSharedMemoryRegisterRequest { Name = "in", Key = _key, ByteSize = 256 }));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        refused = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.SystemSharedMemoryStatusAsync(new SystemSharedMemoryStatusRequest()));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        refused = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.SystemSharedMemoryUnregisterAsync(new SystemSharedMemoryUnregisterRequest(), Bearer("nope-nope-nope-nope")));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);

        Assert.Equal(HttpStatusCode.OK, await SendAsync(h, HttpMethod.Post, "/v2/systemsharedmemory/region/in/register", register, Token));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(h, HttpMethod.Get, "/v2/systemsharedmemory/region/in/status", "", Token));

        // Inference naming the region needs no token.
        GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(ShmRequest()), 0);

        await c.Client.SystemSharedMemoryUnregisterAsync(new SystemSharedMemoryUnregisterRequest { Name = "in" }, Bearer(Token));
        Assert.Empty(h.Server.Engine.SharedMemory.Status("").Value!);
    }

    [Fact]
    public async Task ModelStreamInfer_InputsInSharedMemory_AnsweredAndBadRegionAnsweredOnStream()
    {
        await using var h = await ServerHarness.StartAsync();
        Assert.Null(h.Server.Engine.SharedMemory.Register("in", _key, 0, 256));
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        using var stream = c.Client.ModelStreamInfer();
        await stream.RequestStream.WriteAsync(ShmRequest());
        var bad = ShmRequest();
        bad.Inputs[0].Parameters["shared_memory_region"] = new InferParameter { StringParam = "nope" };
        await stream.RequestStream.WriteAsync(bad);
        await stream.RequestStream.CompleteAsync();

        var answers = new List<ModelStreamInferResponse>();
        while (await stream.ResponseStream.MoveNext(CancellationToken.None))
        {
            answers.Add(stream.ResponseStream.Current);
        }

        Assert.Equal(2, answers.Count);
        GrpcTestClient.AssertSimple(Assert.Single(answers, a => a.ErrorMessage.Length == 0).InferResponse, 0);
        Assert.Equal("Unable to find shared memory region: 'nope'", Assert.Single(answers, a => a.ErrorMessage.Length > 0).ErrorMessage);
    }
}
