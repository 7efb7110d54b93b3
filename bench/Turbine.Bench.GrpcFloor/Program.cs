// The gRPC transport floor (PERFORMANCE.md, reference 2): a minimal grpc-dotnet server, Kestrel HTTP/2 cleartext on
// 127.0.0.1, whose ModelInfer reads nothing and answers a fixed small ModelInferResponse (other rpcs unimplemented),
// so the same h2load request body drives it and Turbine.
// Usage:
//   Turbine.Bench.GrpcFloor PORT                         serve the floor
//   Turbine.Bench.GrpcFloor --write-bodies DIR           write the h2load bodies (gRPC length-prefixed ModelInferRequest)
//   Turbine.Bench.GrpcFloor --check URL MODEL BODY       send BODY's message with Grpc.Net.Client; exit 0 on gRPC OK
using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Turbine.Protocol.Grpc;

if (args is ["--write-bodies", var dir])
{
    Bodies.Write(dir);
    return 0;
}

if (args is ["--check", var url, var model, var bodyPath])
{
    return await Bodies.CheckAsync(url, model, bodyPath).ConfigureAwait(false);
}

if (args.Length != 1 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
{
    await Console.Error.WriteLineAsync("usage: Turbine.Bench.GrpcFloor PORT | --write-bodies DIR | --check URL MODEL BODY");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.Services.AddGrpc(o => o.EnableDetailedErrors = false);
builder.WebHost.ConfigureKestrel(k =>
{
    k.AddServerHeader = false;
    k.Limits.Http2.MaxStreamsPerConnection = 1024;
    k.Listen(System.Net.IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2);
});

var app = builder.Build();
app.MapGrpcService<FloorService>();
await app.StartAsync().ConfigureAwait(false);
Console.WriteLine($"grpc floor ready: gRPC on http://127.0.0.1:{port}/");
await app.WaitForShutdownAsync().ConfigureAwait(false);
return 0;

/// <summary>Unary echo floor: a fixed response shaped like a small Turbine answer (two INT32 [1,16] outputs).</summary>
internal sealed class FloorService : GRPCInferenceService.GRPCInferenceServiceBase
{
    private static readonly ModelInferResponse Fixed = CreateFixed();

    private static readonly ModelMetadataResponse Metadata = CreateMetadata();
    private static readonly ModelConfigResponse Config = CreateConfig();

    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context) => Task.FromResult(Fixed);

    // What `turbine bench` asks before it sends (the shape of the `simple` sample), so the same generator can drive the
    // floor (the open-loop tail comparison in bench/tail-open-loop.sh).
    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) => Task.FromResult(Metadata);

    public override Task<ModelConfigResponse> ModelConfig(ModelConfigRequest request, ServerCallContext context) => Task.FromResult(Config);

    private static ModelMetadataResponse CreateMetadata()
    {
        var metadata = new ModelMetadataResponse { Name = "simple", Platform = "floor" };
        metadata.Versions.Add("1");
        foreach (var (list, names) in new[] { (metadata.Inputs, new[] { "INPUT0", "INPUT1" }), (metadata.Outputs, new[] { "OUTPUT0", "OUTPUT1" }) })
        {
            foreach (var name in names)
            {
                var tensor = new ModelMetadataResponse.Types.TensorMetadata { Name = name, Datatype = "INT32" };
                tensor.Shape.Add([-1, 16]);
                list.Add(tensor);
            }
        }

        return metadata;
    }

    private static ModelConfigResponse CreateConfig()
    {
        var config = new Turbine.Protocol.Grpc.ModelConfig { Name = "simple", MaxBatchSize = 8 };
        foreach (var name in new[] { "INPUT0", "INPUT1" })
        {
            var input = new Turbine.Protocol.Grpc.ModelInput { Name = name, DataType = Turbine.Protocol.Grpc.DataType.TypeInt32 };
            input.Dims.Add(16);
            config.Input.Add(input);
        }

        return new ModelConfigResponse { Config = config };
    }

    private static ModelInferResponse CreateFixed()
    {
        var response = new ModelInferResponse { ModelName = "floor", ModelVersion = "1" };
        foreach (var name in new[] { "OUTPUT0", "OUTPUT1" })
        {
            var output = new ModelInferResponse.Types.InferOutputTensor { Name = name, Datatype = "INT32" };
            output.Shape.Add([1, 16]);
            response.Outputs.Add(output);
            response.RawOutputContents.Add(ByteString.CopyFrom(new byte[64]));
        }

        return response;
    }
}

internal static class Bodies
{
    /// <summary>simple.bin (INPUT0/INPUT1 INT32 [1,16] raw) and identity_fp32.bin (INPUT0 FP32 [1,16] raw).</summary>
    public static void Write(string dir)
    {
        Directory.CreateDirectory(dir);
        var simple = new ModelInferRequest { ModelName = "simple" };
        var input0 = new byte[64];
        var input1 = new byte[64];
        for (var i = 0; i < 16; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(input0.AsSpan(i * 4), i);
            BinaryPrimitives.WriteInt32LittleEndian(input1.AsSpan(i * 4), 1);
        }

        simple.Inputs.Add(Tensor("INPUT0", "INT32"));
        simple.Inputs.Add(Tensor("INPUT1", "INT32"));
        simple.RawInputContents.Add(ByteString.CopyFrom(input0));
        simple.RawInputContents.Add(ByteString.CopyFrom(input1));
        File.WriteAllBytes(Path.Combine(dir, "simple.bin"), Frame(simple));

        var identity = new ModelInferRequest { ModelName = "identity_fp32" };
        var data = new byte[64];
        for (var i = 0; i < 16; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), i * 0.5f);
        }

        identity.Inputs.Add(Tensor("INPUT0", "FP32"));
        identity.RawInputContents.Add(ByteString.CopyFrom(data));
        File.WriteAllBytes(Path.Combine(dir, "identity_fp32.bin"), Frame(identity));
    }

    public static async Task<int> CheckAsync(string url, string model, string bodyPath)
    {
        var framed = await File.ReadAllBytesAsync(bodyPath).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadUInt32BigEndian(framed.AsSpan(1, 4));
        if (framed[0] != 0 || length != framed.Length - 5)
        {
            await Console.Error.WriteLineAsync($"{bodyPath}: not a single uncompressed gRPC message").ConfigureAwait(false);
            return 1;
        }

        var request = ModelInferRequest.Parser.ParseFrom(framed.AsSpan(5));
        request.ModelName = model;
        using var channel = GrpcChannel.ForAddress(url);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        try
        {
            var response = await client.ModelInferAsync(request, deadline: DateTime.UtcNow.AddSeconds(30)).ConfigureAwait(false);
            var outputs = string.Join(", ", response.Outputs.Select((o, i) =>
                $"{o.Name} {o.Datatype} [{string.Join(",", o.Shape)}] {(i < response.RawOutputContents.Count ? response.RawOutputContents[i].Length : 0)} B"));
            Console.WriteLine($"{model} @ {url}: grpc-status 0 (OK), {outputs}");
            return 0;
        }
        catch (RpcException e)
        {
            await Console.Error.WriteLineAsync($"{model} @ {url}: grpc-status {(int)e.StatusCode} ({e.StatusCode}): {e.Status.Detail}").ConfigureAwait(false);
            return 1;
        }
    }

    private static ModelInferRequest.Types.InferInputTensor Tensor(string name, string datatype)
    {
        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype };
        tensor.Shape.Add([1, 16]);
        return tensor;
    }

    /// <summary>The gRPC length-prefixed message: 0 (uncompressed), big-endian uint32 length, the message.</summary>
    private static byte[] Frame(IMessage message)
    {
        var payload = message.ToByteArray();
        var framed = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1, 4), (uint)payload.Length);
        payload.CopyTo(framed.AsSpan(5));
        return framed;
    }
}
