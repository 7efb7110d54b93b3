using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Net.Client;
using Turbine.Protocol.Grpc;

namespace Turbine.Server.Tests.Grpc;

/// <summary>The generated gRPC client on a channel to a real server, plus request builders for the sample models.</summary>
internal sealed class GrpcTestClient : IDisposable
{
    public GrpcTestClient(Uri address)
    {
        Channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = int.MaxValue,
            MaxSendMessageSize = int.MaxValue,
        });
        Client = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);
    }

    public GrpcChannel Channel { get; }

    public GRPCInferenceService.GRPCInferenceServiceClient Client { get; }

    public void Dispose() => Channel.Dispose();

    public static ByteString Bytes<T>(T[] values)
        where T : unmanaged => ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));

    public static T[] Values<T>(ByteString raw)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(raw.Span).ToArray();

    public static ModelInferRequest.Types.InferInputTensor Input(string name, string datatype, params long[] shape)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype };
        input.Shape.Add(shape);
        return input;
    }

    /// <summary><c>simple</c> with raw inputs: INPUT0 = offset..offset+15, INPUT1 = all ones.</summary>
    public static ModelInferRequest SimpleRaw(int offset = 0, string id = "")
    {
        var request = new ModelInferRequest { ModelName = "simple", Id = id };
        request.Inputs.Add(Input("INPUT0", "INT32", 1, 16));
        request.Inputs.Add(Input("INPUT1", "INT32", 1, 16));
        request.RawInputContents.Add(Bytes(Enumerable.Range(offset, 16).ToArray()));
        request.RawInputContents.Add(Bytes(Enumerable.Repeat(1, 16).ToArray()));
        return request;
    }

    /// <summary><c>simple</c> with typed int_contents: INPUT0 = offset..offset+15, INPUT1 = all ones.</summary>
    public static ModelInferRequest SimpleTyped(int offset = 0, string id = "")
    {
        var request = new ModelInferRequest { ModelName = "simple", Id = id };
        var a = Input("INPUT0", "INT32", 1, 16);
        a.Contents = new InferTensorContents();
        a.Contents.IntContents.Add(Enumerable.Range(offset, 16));
        var b = Input("INPUT1", "INT32", 1, 16);
        b.Contents = new InferTensorContents();
        b.Contents.IntContents.Add(Enumerable.Repeat(1, 16));
        request.Inputs.Add(a);
        request.Inputs.Add(b);
        return request;
    }

    /// <summary>Checks a <c>simple</c> response for inputs offset..offset+15 and ones: OUTPUT0 = sum, OUTPUT1 = difference.</summary>
    public static void AssertSimple(ModelInferResponse response, int offset)
    {
        Assert.Equal("simple", response.ModelName);
        Assert.Equal(["OUTPUT0", "OUTPUT1"], response.Outputs.Select(o => o.Name));
        Assert.Equal(2, response.RawOutputContents.Count);
        Assert.Equal([1L, 16L], response.Outputs[0].Shape);
        Assert.Equal("INT32", response.Outputs[0].Datatype);
        Assert.Equal(Enumerable.Range(offset + 1, 16), Values<int>(response.RawOutputContents[0]));
        Assert.Equal(Enumerable.Range(offset - 1, 16), Values<int>(response.RawOutputContents[1]));
    }
}
