using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Inference;

namespace Turbine.Interop.Tests;

/// <summary>A server with small shared memory limits, so the limit tests reach them with small objects.</summary>
public sealed class SharedMemoryServerFixture : TritonServerFixture
{
    public const int MaxRegions = 6;
    public const long MaxBytes = 1 << 20;

    protected override IEnumerable<string> ExtraArguments =>
        ["--max-shm-regions", MaxRegions.ToString(System.Globalization.CultureInfo.InvariantCulture), "--max-shm-bytes", MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)];
}

/// <summary>
/// Triton's system shared memory extension through the stub generated from Triton's grpc_service.proto and over REST,
/// as tritonclient's shared memory examples drive it: the client creates a POSIX object in /dev/shm, registers it,
/// names it in input and output parameters, reads the outputs from it, unregisters. Every refusal leaves the server
/// serving.
/// </summary>
public sealed class TritonSharedMemoryTests(SharedMemoryServerFixture server) : IClassFixture<SharedMemoryServerFixture>, IDisposable
{
    private static readonly DateTime Deadline = DateTime.UtcNow.AddMinutes(10);
    private static readonly int[] A = [.. Enumerable.Range(0, 16)];
    private static readonly int[] B = [.. Enumerable.Repeat(3, 16)];
    private readonly List<string> _objects = [];

    public void Dispose()
    {
        server.Client.SystemSharedMemoryUnregister(new SystemSharedMemoryUnregisterRequest(), deadline: Deadline);
        foreach (var path in _objects)
        {
            File.Delete(path);
        }
    }

    /// <summary>A new object of <paramref name="size"/> bytes holding A at 0 and B at 64 (what a client's shm_open + mmap + write does).</summary>
    private string CreateObject(int size = 256)
    {
        var key = "/turbine-interop-" + Guid.NewGuid().ToString("N");
        var bytes = new byte[size];
        if (size >= 128)
        {
            MemoryMarshal.AsBytes(A.AsSpan()).CopyTo(bytes);
            MemoryMarshal.AsBytes(B.AsSpan()).CopyTo(bytes.AsSpan(64));
        }

        File.WriteAllBytes("/dev/shm" + key, bytes);
        _objects.Add("/dev/shm" + key);
        return key;
    }

    private static int[] ReadInts(string key, int offset, int count) =>
        MemoryMarshal.Cast<byte, int>(File.ReadAllBytes("/dev/shm" + key).AsSpan(offset, count * 4)).ToArray();

    private static InferParameter Str(string s) => new() { StringParam = s };

    private static InferParameter I64(long v) => new() { Int64Param = v };

    /// <summary><c>simple</c> with both inputs in region <paramref name="inRegion"/> and both outputs in <paramref name="outRegion"/>.</summary>
    private static ModelInferRequest ShmRequest(string inRegion, string outRegion, long input0Size = 64)
    {
        var request = new ModelInferRequest { ModelName = "simple", Id = "shm-1" };
        foreach (var (name, offset, size) in new[] { ("INPUT0", 0L, input0Size), ("INPUT1", 64L, 64L) })
        {
            var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT32", Shape = { 1, 16 } };
            input.Parameters["shared_memory_region"] = Str(inRegion);
            input.Parameters["shared_memory_byte_size"] = I64(size);
            if (offset != 0)
            {
                input.Parameters["shared_memory_offset"] = I64(offset);
            }

            request.Inputs.Add(input);
        }

        foreach (var (name, offset) in new[] { ("OUTPUT0", 0L), ("OUTPUT1", 64L) })
        {
            var output = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = name };
            output.Parameters["shared_memory_region"] = Str(outRegion);
            output.Parameters["shared_memory_byte_size"] = I64(64);
            output.Parameters["shared_memory_offset"] = I64(offset);
            request.Outputs.Add(output);
        }

        return request;
    }

    private void Register(string name, string key, ulong offset, ulong size) =>
        server.Client.SystemSharedMemoryRegister(new SystemSharedMemoryRegisterRequest { Name = name, Key = key, Offset = offset, ByteSize = size }, deadline: Deadline);

    private async Task AssertServingAsync()
    {
        var request = new ModelInferRequest { ModelName = "simple" };
        foreach (var (name, values) in new[] { ("INPUT0", A), ("INPUT1", B) })
        {
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT32", Shape = { 1, 16 } });
            request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
        }

        var response = await server.Client.ModelInferAsync(request, deadline: Deadline);
        Assert.Equal(A.Select(x => x + 3), MemoryMarshal.Cast<byte, int>(response.RawOutputContents[0].Span).ToArray());
        Assert.True((await server.Client.ServerReadyAsync(new ServerReadyRequest(), deadline: Deadline)).Ready);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string json)
    {
        using var response = await server.HttpClient.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path)
    {
        using var response = await server.HttpClient.GetAsync(path);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task ServerMetadata_AdvertisesSystemNotCudaSharedMemory()
    {
        var metadata = await server.Client.ServerMetadataAsync(new ServerMetadataRequest(), deadline: Deadline);
        Assert.Contains("system_shared_memory", metadata.Extensions);
        Assert.DoesNotContain("cuda_shared_memory", metadata.Extensions);
        var (_, rest) = await GetAsync("/v2");
        Assert.Contains("system_shared_memory", rest.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task GrpcInfer_InputsAndOutputsInSharedMemory_OutputsWrittenIntoRegion()
    {
        var key = CreateObject();
        Register("in", key, 0, 128);
        Register("out", key, 128, 128);

        var status = await server.Client.SystemSharedMemoryStatusAsync(new SystemSharedMemoryStatusRequest(), deadline: Deadline);
        Assert.Equal(["in", "out"], status.Regions.Keys.Order());
        Assert.Equal(key, status.Regions["out"].Key);
        Assert.Equal(128UL, status.Regions["out"].Offset);
        Assert.Equal(128UL, status.Regions["out"].ByteSize);

        var response = await server.Client.ModelInferAsync(ShmRequest("in", "out"), deadline: Deadline);
        Assert.Equal("shm-1", response.Id);
        Assert.Equal(A.Select(x => x + 3), ReadInts(key, 128, 16));
        Assert.Equal(A.Select(x => x - 3), ReadInts(key, 192, 16));
        var output1 = response.Outputs.Single(o => o.Name == "OUTPUT1");
        Assert.Equal("out", output1.Parameters["shared_memory_region"].StringParam);
        Assert.Equal(64, output1.Parameters["shared_memory_byte_size"].Int64Param);
        Assert.Equal(64, output1.Parameters["shared_memory_offset"].Int64Param);
        Assert.All(response.RawOutputContents, raw => Assert.True(raw.IsEmpty));

        // The client changes the input in place and infers again: the server reads the mapping, not a copy.
        File.WriteAllBytes("/dev/shm" + key, [.. File.ReadAllBytes("/dev/shm" + key).Take(64), .. MemoryMarshal.AsBytes(Enumerable.Repeat(10, 16).ToArray().AsSpan()).ToArray(), .. new byte[128]]);
        await server.Client.ModelInferAsync(ShmRequest("in", "out"), deadline: Deadline);
        Assert.Equal(A.Select(x => x + 10), ReadInts(key, 128, 16));

        await server.Client.SystemSharedMemoryUnregisterAsync(new SystemSharedMemoryUnregisterRequest { Name = "in" }, deadline: Deadline);
        status = await server.Client.SystemSharedMemoryStatusAsync(new SystemSharedMemoryStatusRequest(), deadline: Deadline);
        Assert.Equal(["out"], status.Regions.Keys);
        await AssertServingAsync();
    }

    [Fact]
    public async Task GrpcInfer_MixedSharedMemoryAndRawInputs_RawEntriesBelongToTheOthers()
    {
        var key = CreateObject();
        Register("in", key, 0, 128);
        var request = ShmRequest("in", "unused");
        request.Outputs.Clear();
        request.Inputs[1].Parameters.Clear();
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(Enumerable.Repeat(100, 16).ToArray().AsSpan())));

        var response = await server.Client.ModelInferAsync(request, deadline: Deadline);
        var index = response.Outputs.Select((o, i) => (o.Name, i)).ToDictionary(x => x.Name, x => x.i);
        Assert.Equal(A.Select(x => x + 100), MemoryMarshal.Cast<byte, int>(response.RawOutputContents[index["OUTPUT0"]].Span).ToArray());
    }

    [Fact]
    public async Task RestInfer_InputsAndOutputsInSharedMemory_ResponseCarriesParametersNoData()
    {
        var key = CreateObject();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v2/systemsharedmemory/region/in/register", $$"""{"key":"{{key}}","offset":0,"byte_size":128}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v2/systemsharedmemory/region/out/register", $$"""{"key":"{{key}}","offset":128,"byte_size":128}""")).Status);

        var (statusCode, status) = await GetAsync("/v2/systemsharedmemory/region/out/status");
        Assert.Equal(HttpStatusCode.OK, statusCode);
        var region = Assert.Single(status.EnumerateArray());
        Assert.Equal("out", region.GetProperty("name").GetString());
        Assert.Equal(key, region.GetProperty("key").GetString());
        Assert.Equal(128, region.GetProperty("offset").GetInt64());
        Assert.Equal(128, region.GetProperty("byte_size").GetInt64());

        var (code, body) = await PostAsync("/v2/models/simple/infer", """
            {"inputs":[
              {"name":"INPUT0","shape":[1,16],"datatype":"INT32","parameters":{"shared_memory_region":"in","shared_memory_byte_size":64}},
              {"name":"INPUT1","shape":[1,16],"datatype":"INT32","parameters":{"shared_memory_region":"in","shared_memory_offset":64,"shared_memory_byte_size":64}}],
             "outputs":[
              {"name":"OUTPUT0","parameters":{"shared_memory_region":"out","shared_memory_byte_size":64}},
              {"name":"OUTPUT1","parameters":{"shared_memory_region":"out","shared_memory_offset":64,"shared_memory_byte_size":64}}]}
            """);
        Assert.Equal(HttpStatusCode.OK, code);
        foreach (var output in body.GetProperty("outputs").EnumerateArray())
        {
            Assert.False(output.TryGetProperty("data", out _));
            Assert.Equal("out", output.GetProperty("parameters").GetProperty("shared_memory_region").GetString());
            Assert.Equal(64, output.GetProperty("parameters").GetProperty("shared_memory_byte_size").GetInt64());
        }

        Assert.Equal(A.Select(x => x + 3), ReadInts(key, 128, 16));
        Assert.Equal(A.Select(x => x - 3), ReadInts(key, 192, 16));

        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v2/systemsharedmemory/unregister", "")).Status);
        var (_, all) = await GetAsync("/v2/systemsharedmemory/status");
        Assert.Equal(0, all.GetArrayLength());
        await AssertServingAsync();
    }

    [Fact]
    public async Task Infer_BadSharedMemoryReferences_ClearErrorsBothProtocols()
    {
        var key = CreateObject();
        Register("in", key, 0, 128);
        Register("out", key, 128, 128);

        async Task ExpectAsync(ModelInferRequest request, StatusCode code, string message)
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Client.ModelInferAsync(request, deadline: Deadline));
            Assert.Equal(code, e.StatusCode);
            Assert.Contains(message, e.Status.Detail, StringComparison.Ordinal);
            await AssertServingAsync();
        }

        await ExpectAsync(ShmRequest("nope", "out"), StatusCode.NotFound, "Unable to find shared memory region: 'nope'");
        await ExpectAsync(ShmRequest("in", "nope"), StatusCode.NotFound, "Unable to find shared memory region: 'nope'");
        var pastEnd = ShmRequest("in", "out");
        pastEnd.Inputs[1].Parameters["shared_memory_offset"] = I64(128);
        await ExpectAsync(pastEnd, StatusCode.InvalidArgument, "Invalid offset for shared memory region: 'in'");
        var tooLong = ShmRequest("in", "out");
        tooLong.Inputs[1].Parameters["shared_memory_byte_size"] = I64(65);
        await ExpectAsync(tooLong, StatusCode.InvalidArgument, "Invalid offset + byte size for shared memory region: 'in'");
        await ExpectAsync(ShmRequest("in", "out", input0Size: 32), StatusCode.InvalidArgument, "INPUT0");
        var smallOutput = ShmRequest("in", "out");
        smallOutput.Outputs[0].Parameters["shared_memory_byte_size"] = I64(32);
        await ExpectAsync(smallOutput, StatusCode.InvalidArgument, "shared memory size specified with the request for output 'OUTPUT0' (32 bytes) should be at least 64 bytes to hold the results");
        var noSize = ShmRequest("in", "out");
        noSize.Inputs[0].Parameters.Remove("shared_memory_byte_size");
        await ExpectAsync(noSize, StatusCode.InvalidArgument, "'shared_memory_byte_size' must be specified along with 'shared_memory_region' parameter for tensor 'INPUT0'");
        var withContents = ShmRequest("in", "out");
        withContents.Inputs[0].Contents = new InferTensorContents { IntContents = { A } };
        await ExpectAsync(withContents, StatusCode.InvalidArgument, "must not carry contents");

        var (code, body) = await PostAsync("/v2/models/simple/infer", """
            {"inputs":[
              {"name":"INPUT0","shape":[1,16],"datatype":"INT32","parameters":{"shared_memory_region":"nope","shared_memory_byte_size":64}},
              {"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}]}
            """);
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("Unable to find shared memory region: 'nope'", body.GetProperty("error").GetString());
        (code, body) = await PostAsync("/v2/models/simple/infer", """
            {"inputs":[
              {"name":"INPUT0","shape":[1,16],"datatype":"INT32","parameters":{"shared_memory_region":"in","shared_memory_byte_size":64},"data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]},
              {"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}]}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Contains("must not carry data", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        await AssertServingAsync();
    }

    [Fact]
    public async Task Register_BadRequests_TritonStatusesAndProcessStaysHealthy()
    {
        var key = CreateObject();
        var link = "/turbine-interop-link-" + Guid.NewGuid().ToString("N");
        File.CreateSymbolicLink("/dev/shm" + link, "/dev/shm" + key);
        _objects.Add("/dev/shm" + link);
        Register("r", key, 0, 64);

        async Task ExpectAsync(string name, string badKey, ulong offset, ulong size, StatusCode code, string message)
        {
            var e = Assert.Throws<RpcException>(() => Register(name, badKey, offset, size));
            Assert.Equal(code, e.StatusCode);
            Assert.Contains(message, e.Status.Detail, StringComparison.Ordinal);
            await AssertServingAsync();
        }

        await ExpectAsync("r", key, 64, 64, StatusCode.AlreadyExists, "shared memory region 'r' already in manager");
        await ExpectAsync("x", "/../../etc/passwd", 0, 64, StatusCode.InvalidArgument, "invalid key");
        await ExpectAsync("x", "/dev/shm/" + key[1..], 0, 64, StatusCode.InvalidArgument, "invalid key");
        await ExpectAsync("x", link, 0, 64, StatusCode.InvalidArgument, "symbolic link");
        await ExpectAsync("x", key, 200, 57, StatusCode.InvalidArgument, "failed to register shared memory region 'x': invalid args");
        await ExpectAsync("x", key, ulong.MaxValue, 2, StatusCode.InvalidArgument, "invalid args");
        await ExpectAsync("x", "/turbine-interop-missing-" + Guid.NewGuid().ToString("N"), 0, 64, StatusCode.Internal, "Unable to open shared memory region");
        await ExpectAsync("", key, 0, 64, StatusCode.InvalidArgument, "'region name' is necessary");

        var statusError = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Client.SystemSharedMemoryStatusAsync(new SystemSharedMemoryStatusRequest { Name = "x" }, deadline: Deadline));
        Assert.Equal(StatusCode.NotFound, statusError.StatusCode);
        Assert.Equal("Unable to find system shared memory region: 'x'", statusError.Status.Detail);

        var (code, body) = await PostAsync("/v2/systemsharedmemory/region/r/register", $$"""{"key":"{{key}}","byte_size":64}""");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("shared memory region 'r' already in manager", body.GetProperty("error").GetString());
        (code, body) = await PostAsync("/v2/systemsharedmemory/region/y/register", """{"offset":0,"byte_size":64}""");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("Shared memory register request has no 'key' field", body.GetProperty("error").GetString());
        (code, body) = await PostAsync("/v2/systemsharedmemory/region/y/register", $$"""{"key":"{{key}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("Shared memory register request has no 'byte_size' field", body.GetProperty("error").GetString());
        (code, body) = await PostAsync("/v2/systemsharedmemory/region/y/register", """{"key":"/../../etc/shadow","byte_size":64}""");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Contains("invalid key", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        (code, body) = await GetAsync("/v2/systemsharedmemory/region/y/status");
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("Unable to find system shared memory region: 'y'", body.GetProperty("error").GetString());

        // Unregistering an unknown region is not an error (as in Triton).
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v2/systemsharedmemory/region/never/unregister", "")).Status);
        await AssertServingAsync();
    }

    [Fact]
    public async Task Register_PastLimits_ResourceExhaustedUntilUnregistered()
    {
        var key = CreateObject(4096);
        for (var i = 0; i < SharedMemoryServerFixture.MaxRegions; i++)
        {
            Register("r" + i, key, (ulong)i * 64, 64);
        }

        var e = Assert.Throws<RpcException>(() => Register("extra", key, 0, 64));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Contains("--max-shm-regions", e.Status.Detail, StringComparison.Ordinal);
        await AssertServingAsync();

        server.Client.SystemSharedMemoryUnregister(new SystemSharedMemoryUnregisterRequest(), deadline: Deadline);
        var big = CreateObject((int)SharedMemoryServerFixture.MaxBytes + 4096);
        e = Assert.Throws<RpcException>(() => Register("big", big, 0, (ulong)SharedMemoryServerFixture.MaxBytes + 1));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Contains("--max-shm-bytes", e.Status.Detail, StringComparison.Ordinal);
        Register("big", big, 0, (ulong)SharedMemoryServerFixture.MaxBytes);
        await AssertServingAsync();
    }

    [Fact]
    public async Task Unregister_WhileRequestsUseRegion_EachRequestCompletesOrFailsCleanly()
    {
        var key = CreateObject();
        Register("out", key, 128, 128);
        for (var round = 0; round < 5; round++)
        {
            Register("in", key, 0, 128);
            var requests = Enumerable.Range(0, 32).Select(async _ =>
            {
                var request = ShmRequest("in", "out");
                request.Outputs.Clear(); // results in the response, so every successful one can be checked
                try
                {
                    var response = await server.Client.ModelInferAsync(request, deadline: Deadline);
                    Assert.Equal(A.Select(x => x + 3), MemoryMarshal.Cast<byte, int>(response.RawOutputContents[0].Span).ToArray());
                    return true;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                {
                    Assert.Equal("Unable to find shared memory region: 'in'", e.Status.Detail);
                    return false;
                }
            }).ToList();
            await server.Client.SystemSharedMemoryUnregisterAsync(new SystemSharedMemoryUnregisterRequest { Name = "in" }, deadline: Deadline);
            await Task.WhenAll(requests);
            await AssertServingAsync();
        }

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Client.ModelInferAsync(ShmRequest("in", "out"), deadline: Deadline));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task CudaSharedMemory_NoGpuBuild_AnswersAsTritonWithoutGpus()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Client.CudaSharedMemoryRegisterAsync(
            new CudaSharedMemoryRegisterRequest { Name = "g", RawHandle = ByteString.CopyFrom(new byte[64]), ByteSize = 64 }, deadline: Deadline));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("failed to register CUDA shared memory region: 'g', GPUs not supported", e.Status.Detail);
        Assert.Empty((await server.Client.CudaSharedMemoryStatusAsync(new CudaSharedMemoryStatusRequest(), deadline: Deadline)).Regions);
        await server.Client.CudaSharedMemoryUnregisterAsync(new CudaSharedMemoryUnregisterRequest(), deadline: Deadline);

        var (code, body) = await PostAsync("/v2/cudasharedmemory/region/g/register", """{"raw_handle":{"b64":"AAAA"},"device_id":0,"byte_size":64}""");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("failed to register CUDA shared memory region: 'g', GPUs not supported", body.GetProperty("error").GetString());
        var (statusCode, status) = await GetAsync("/v2/cudasharedmemory/status");
        Assert.Equal(HttpStatusCode.OK, statusCode);
        Assert.Equal(0, status.GetArrayLength());
        await AssertServingAsync();
    }
}
