using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Inference;

namespace Turbine.Interop.Tests;

/// <summary>
/// Unknown models and versions answered with Triton's codes and texts (tritonclient and its examples match on
/// "Request for unknown model"), on every endpoint that names a model, through Triton's stub and REST.
/// </summary>
public sealed class TritonErrorTests(TritonServerFixture server) : IClassFixture<TritonServerFixture>
{
    private const string UnknownModel = "Request for unknown model: 'nosuch' is not found";
    private const string UnknownVersion = "Request for unknown model: 'simple' version 9 is not found";
    private static readonly DateTime Deadline = DateTime.UtcNow.AddMinutes(10);

    public static TheoryData<string, string> GrpcCalls() => new()
    {
        { "infer", "nosuch" }, { "metadata", "nosuch" }, { "config", "nosuch" }, { "ready", "nosuch" },
        { "infer", "simple/9" }, { "metadata", "simple/9" }, { "config", "simple/9" }, { "ready", "simple/9" },
    };

    [Theory]
    [MemberData(nameof(GrpcCalls))]
    public async Task GrpcCall_UnknownModelOrVersion_TritonCodeAndText(string call, string target)
    {
        var (name, version) = target.Contains('/', StringComparison.Ordinal) ? (target.Split('/')[0], target.Split('/')[1]) : (target, "");
        Task task = call switch
        {
            "infer" => server.Client.ModelInferAsync(Simple(name, version), deadline: Deadline).ResponseAsync,
            "metadata" => server.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = name, Version = version }, deadline: Deadline).ResponseAsync,
            "config" => server.Client.ModelConfigAsync(new ModelConfigRequest { Name = name, Version = version }, deadline: Deadline).ResponseAsync,
            _ => server.Client.ModelReadyAsync(new ModelReadyRequest { Name = name, Version = version }, deadline: Deadline).ResponseAsync,
        };
        var e = await Assert.ThrowsAsync<RpcException>(() => task);
        Assert.Equal(version.Length == 0 ? StatusCode.InvalidArgument : StatusCode.NotFound, e.StatusCode);
        Assert.Equal(version.Length == 0 ? UnknownModel : UnknownVersion, e.Status.Detail);
    }

    [Theory]
    [InlineData("GET", "v2/models/nosuch", 400, UnknownModel)]
    [InlineData("GET", "v2/models/nosuch/config", 400, UnknownModel)]
    [InlineData("GET", "v2/models/nosuch/ready", 400, UnknownModel)]
    [InlineData("POST", "v2/models/nosuch/infer", 400, UnknownModel)]
    [InlineData("GET", "v2/models/simple/versions/9", 404, UnknownVersion)]
    [InlineData("GET", "v2/models/simple/versions/9/ready", 404, UnknownVersion)]
    [InlineData("POST", "v2/models/simple/versions/9/infer", 404, UnknownVersion)]
    [InlineData("GET", "v2/models/nosuch/stats", 400, "requested model 'nosuch' is not available")]
    public async Task Rest_UnknownModelOrVersion_TritonStatusAndText(string method, string path, int status, string message)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent(
                """{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},{"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}""",
                Encoding.UTF8, "application/json");
        }

        using var response = await server.HttpClient.SendAsync(request);
        Assert.Equal(status, (int)response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(message, body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ModelStreamInfer_UnknownModel_ErrorMessageInBandTritonText()
    {
        using var call = server.Client.ModelStreamInfer(deadline: Deadline);
        await call.RequestStream.WriteAsync(Simple("nosuch", "", "lost"));
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(UnknownModel, call.ResponseStream.Current.ErrorMessage);
        Assert.Equal("lost", call.ResponseStream.Current.InferResponse.Id);
        Assert.False(await call.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task ModelStatistics_UnknownModel_TritonStatisticsText()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "nosuch" }, deadline: Deadline));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("requested model 'nosuch' is not available", e.Status.Detail);
        Assert.Equal(HttpStatusCode.OK, (await server.HttpClient.GetAsync("v2/models/simple/ready")).StatusCode);
    }

    internal static ModelInferRequest Simple(string model, string version, string id = "")
    {
        var request = new ModelInferRequest { ModelName = model, ModelVersion = version, Id = id };
        foreach (var name in new[] { "INPUT0", "INPUT1" })
        {
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT32", Shape = { 1, 16 } });
            request.RawInputContents.Add(ByteString.CopyFrom(new byte[64]));
        }

        return request;
    }
}

/// <summary>A server started with Triton's <c>--id</c>.</summary>
public sealed class TritonIdServerFixture : TritonServerFixture
{
    protected override IEnumerable<string> ExtraArguments => ["--id", "triton"];
}

/// <summary><c>turbine serve --id triton</c> presents the identity a migrated deployment's clients expect.</summary>
public sealed class TritonServerIdTests(TritonIdServerFixture server) : IClassFixture<TritonIdServerFixture>
{
    [Fact]
    public async Task ServerMetadata_IdTriton_RestAndGrpcSayTriton()
    {
        var metadata = await server.Client.ServerMetadataAsync(new ServerMetadataRequest(), deadline: DateTime.UtcNow.AddMinutes(1));
        Assert.Equal("triton", metadata.Name);
        using var body = JsonDocument.Parse(await server.HttpClient.GetStringAsync("v2"));
        Assert.Equal("triton", body.RootElement.GetProperty("name").GetString());
    }
}
