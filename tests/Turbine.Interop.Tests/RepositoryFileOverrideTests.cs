using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Inference;

namespace Turbine.Interop.Tests;

/// <summary>An explicit-mode server with a small model-file limit, so an oversize override is cheap to send.</summary>
public sealed class ExplicitModeServerFixture : TritonServerFixture
{
    public const int MaxModelFileBytes = 4096;

    protected override IEnumerable<string> ExtraArguments =>
        ["--model-control-mode", "explicit", "--load-model", "simple", "--max-model-file-bytes", MaxModelFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)];
}

/// <summary>
/// Triton's model repository extension with <c>file:</c> overrides (issue 12 item 8): model files sent in the load
/// request (bytes over gRPC through the stub generated from Triton's protos, base64 over REST), loaded from a private
/// folder, reloaded with new bytes; every bad override answers Triton's INTERNAL "failed to poll from model repository"
/// with the reason, and the server keeps serving.
/// </summary>
public sealed class RepositoryFileOverrideTests(ExplicitModeServerFixture server) : IClassFixture<ExplicitModeServerFixture>
{
    private static readonly DateTime Deadline = DateTime.UtcNow.AddMinutes(10);

    private byte[] ModelBytes(string model) => File.ReadAllBytes(Path.Combine(server.Repository, model, "1", "model.onnx"));

    [Fact]
    public async Task RepositoryModelLoad_FileOverrideBytes_LoadsInfersAndReloadsWithNewBytes()
    {
        await LoadAsync("grpc_override", "{\"name\":\"grpc_override\",\"backend\":\"onnxruntime\",\"max_batch_size\":8}",
            ("file:1/model.onnx", ModelBytes("simple")));

        var (sum, difference) = await InferSimpleAsync("grpc_override");
        Assert.Equal(Enumerable.Range(0, 16).Select(x => x + 1), sum);
        Assert.Equal(Enumerable.Range(0, 16).Select(x => x - 1), difference);

        // Reload under the same name with another model's bytes: the new files replace the old ones.
        await LoadAsync("grpc_override", "{\"name\":\"grpc_override\",\"backend\":\"onnxruntime\"}",
            ("file:1/model.onnx", ModelBytes("identity_fp32")));
        var metadata = await server.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "grpc_override" }, deadline: Deadline);
        var input = Assert.Single(metadata.Inputs);
        Assert.Equal("FP32", input.Datatype);
        var index = await server.Client.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true }, deadline: Deadline);
        Assert.True(index.Models.Any(m => m.Name == "grpc_override" && m.State == "READY"), index.ToString());
    }

    [Theory]
    [InlineData("file:../escape.onnx", "must be a relative path inside the model folder")]
    [InlineData("file:/etc/turbine.onnx", "must be a relative path inside the model folder")]
    [InlineData("file:1/../../escape.onnx", "must be a relative path inside the model folder")]
    [InlineData("file:1//model.onnx", "has an empty or '.' part")]
    [InlineData("file:config.pbtxt", "comes from the 'config' parameter")]
    public async Task RepositoryModelLoad_PathOutsideModel_InternalFailedToPoll(string key, string reason)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => LoadAsync("bad_path", "{\"backend\":\"onnxruntime\"}", (key, ModelBytes("simple"))));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.StartsWith("failed to load 'bad_path', failed to poll from model repository: ", e.Status.Detail);
        Assert.Contains(reason, e.Status.Detail);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task RepositoryModelLoad_FilesWithoutConfig_InternalNamesConfig()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => LoadAsync("no_config", null, ("file:1/model.onnx", ModelBytes("simple"))));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Contains("failed to poll from model repository: load parameter 'config' must be specified for model file override", e.Status.Detail);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task RepositoryModelLoad_FileAsString_InternalNeedsBytes()
    {
        var request = new RepositoryModelLoadRequest { ModelName = "string_file" };
        request.Parameters["config"] = new ModelRepositoryParameter { StringParam = "{\"backend\":\"onnxruntime\"}" };
        request.Parameters["file:1/model.onnx"] = new ModelRepositoryParameter { StringParam = "not bytes" };

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Client.RepositoryModelLoadAsync(request, deadline: Deadline));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Contains("File parameter 'file:1/model.onnx' must have bytes type", e.Status.Detail);
    }

    [Fact]
    public async Task RepositoryModelLoad_FileOverLimit_InternalNamesFlag()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => LoadAsync("too_big", "{\"backend\":\"onnxruntime\"}",
            ("file:1/model.onnx", new byte[ExplicitModeServerFixture.MaxModelFileBytes + 1])));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Contains("--max-model-file-bytes", e.Status.Detail);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task RestLoad_Base64FileOverride_LoadsAndInfers()
    {
        using var response = await server.HttpClient.PostAsJsonAsync("v2/repository/models/rest_override/load", new
        {
            parameters = new Dictionary<string, string>
            {
                ["config"] = "{\"name\":\"rest_override\",\"backend\":\"onnxruntime\",\"max_batch_size\":8}",
                ["file:1/model.onnx"] = Convert.ToBase64String(ModelBytes("simple")),
            },
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        using var infer = await server.HttpClient.PostAsJsonAsync("v2/models/rest_override/infer", new
        {
            inputs = new object[]
            {
                new { name = "INPUT0", shape = new[] { 1, 16 }, datatype = "INT32", data = Enumerable.Range(0, 16).ToArray() },
                new { name = "INPUT1", shape = new[] { 1, 16 }, datatype = "INT32", data = Enumerable.Repeat(2, 16).ToArray() },
            },
        });
        Assert.True(infer.IsSuccessStatusCode, await infer.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await infer.Content.ReadAsStringAsync());
        var output0 = json.RootElement.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "OUTPUT0");
        Assert.Equal(Enumerable.Range(0, 16).Select(x => x + 2), output0.GetProperty("data").EnumerateArray().Select(v => v.GetInt32()));
    }

    [Theory]
    [InlineData("file:1/model.onnx", "\"@@not base64@@\"", "is not valid base64")]
    [InlineData("file:1/model.onnx", "42", "must be a string holding the file's bytes in base64")]
    [InlineData("file:../../x", "\"AAAA\"", "must be a relative path inside the model folder")]
    public async Task RestLoad_BadFileParameter_500FailedToPoll(string key, string value, string reason)
    {
        var body = $"{{\"parameters\":{{\"config\":\"{{}}\",\"{key}\":{value}}}}}";
        using var response = await server.HttpClient.PostAsync("v2/repository/models/rest_bad/load", new StringContent(body));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("error").GetString()!;
        Assert.StartsWith("failed to load 'rest_bad', failed to poll from model repository: ", error);
        Assert.Contains(reason, error);
        await AssertStillServingAsync();
    }

    private async Task LoadAsync(string model, string? config, params (string Key, byte[] Bytes)[] files)
    {
        var request = new RepositoryModelLoadRequest { ModelName = model };
        if (config is not null)
        {
            request.Parameters["config"] = new ModelRepositoryParameter { StringParam = config };
        }

        foreach (var (key, bytes) in files)
        {
            request.Parameters[key] = new ModelRepositoryParameter { BytesParam = ByteString.CopyFrom(bytes) };
        }

        await server.Client.RepositoryModelLoadAsync(request, deadline: Deadline);
    }

    private async Task<(int[] Sum, int[] Difference)> InferSimpleAsync(string model)
    {
        var request = new ModelInferRequest { ModelName = model };
        foreach (var (name, values) in new[] { ("INPUT0", Enumerable.Range(0, 16).ToArray()), ("INPUT1", Enumerable.Repeat(1, 16).ToArray()) })
        {
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT32", Shape = { 1, 16 } });
            request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
        }

        var response = await server.Client.ModelInferAsync(request, deadline: Deadline);
        var index = response.Outputs.Select((o, i) => (o.Name, i)).ToDictionary(x => x.Name, x => x.i);
        return (MemoryMarshal.Cast<byte, int>(response.RawOutputContents[index["OUTPUT0"]].Span).ToArray(),
            MemoryMarshal.Cast<byte, int>(response.RawOutputContents[index["OUTPUT1"]].Span).ToArray());
    }

    private async Task AssertStillServingAsync()
    {
        Assert.True((await server.Client.ServerLiveAsync(new ServerLiveRequest(), deadline: Deadline)).Live);
        var (sum, _) = await InferSimpleAsync("simple");
        Assert.Equal(Enumerable.Range(1, 16), sum);
    }
}
