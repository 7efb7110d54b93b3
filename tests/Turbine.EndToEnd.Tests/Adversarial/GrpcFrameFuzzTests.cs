using Google.Protobuf;
using Turbine.Protocol.Grpc;

namespace Turbine.EndToEnd.Tests.Adversarial;

/// <summary>
/// Issue 11 items 5, 12 and 13 over gRPC: hand-made frames and typed contents against the hardened server. Every call
/// gets a gRPC status (never UNKNOWN, which is what an unhandled exception becomes), expanding typed contents is
/// refused before memory is spent, and the process stays healthy.
/// </summary>
[Collection(AdversarialCollection.Name)]
public sealed class GrpcFrameFuzzTests(HardenedServer server)
{
    private const int Ok = 0;
    private const int Unknown = 2;
    private const int InvalidArgument = 3;
    private const int ResourceExhausted = 8;

    [Fact]
    public async Task Fuzz_MutatedFrames_EveryCallGetsAStatus()
    {
        using var grpc = new RawGrpc(server.Grpc);
        var random = new Random(11);
        var valid = ValidRequest(5).ToByteArray();
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < 150; i++)
        {
            var kind = i % 6;
            var body = kind switch
            {
                0 => RawGrpc.Frame(valid),
                1 => RawGrpc.Frame(Mutations.Flip(valid, random, 1 + random.Next(8))), // damaged protobuf
                2 => RawGrpc.Frame(valid)[..random.Next(1, valid.Length + 4)], // cut short: the prefix promises more
                3 => RawGrpc.Frame(valid, declaredLength: (uint)random.Next(valid.Length + 1, int.MaxValue)), // a lying length
                4 => RawGrpc.Frame(valid, compressed: true), // compressed flag without grpc-encoding
                _ => RawGrpc.Frame(Mutations.RandomBytes(random, random.Next(0, 2048))), // not protobuf at all
            };

            var (status, message) = await grpc.CallAsync("ModelInfer", body);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status >= 0, $"case {i} (kind {kind}) got no gRPC status (HTTP {-status})");
            Assert.True(status != Unknown, $"case {i} (kind {kind}): UNKNOWN '{message}'; server output:\n{server.Output[^Math.Min(server.Output.Length, 3000)..]}");
            if (kind == 0)
            {
                Assert.Equal(Ok, status);
            }
            else if (status != Ok)
            {
                Assert.False(string.IsNullOrWhiteSpace(message), $"case {i} (kind {kind}) status {status} has no message");
            }
        }

        Assert.True(statuses.Count > 2, "the mutations hit too few outcomes: " + string.Join(", ", statuses));
        await server.AssertHealthyAsync();
    }

    [Fact]
    public async Task TypedContents_WrongOrExtraFieldOrWrongCount_InvalidArgument()
    {
        using var grpc = new RawGrpc(server.Grpc);
        var wrongType = ValidRequest(0);
        wrongType.Inputs[0].Contents = new InferTensorContents();
        wrongType.Inputs[0].Contents.Fp32Contents.Add(Enumerable.Repeat(1f, 16));
        var extra = ValidRequest(0);
        extra.Inputs[0].Contents.Fp32Contents.Add(Enumerable.Repeat(1f, 16));
        var tooFew = ValidRequest(0);
        tooFew.Inputs[0].Contents.IntContents.RemoveAt(0);
        var hugeShape = ValidRequest(0);
        hugeShape.Inputs[0].Shape[1] = 1L << 40;
        foreach (var (name, request) in new[] { ("wrong type", wrongType), ("extra field", extra), ("too few", tooFew), ("huge shape", hugeShape) })
        {
            var (status, message) = await grpc.CallAsync("ModelInfer", RawGrpc.Frame(request));
            Assert.True(status == InvalidArgument, $"{name}: status {status} '{message}'");
            Assert.Contains("INPUT0", message, StringComparison.Ordinal);
        }

        await server.AssertHealthyAsync();
    }

    /// <summary>
    /// The amplification of issue 11 item 5: typed contents that are small on the wire but large once expanded
    /// (tens of millions of one-byte BYTES elements, packed varints that widen to 8 bytes) for a tensor of 16 INT32s.
    /// Two at once must be refused without the server's heap (capped at 768 MiB) running out.
    /// </summary>
    [Theory]
    [InlineData("bytes")]
    [InlineData("int64")]
    public async Task TypedContents_ExpandingFlood_RefusedWithinTheHeapLimit(string kind)
    {
        using var grpc = new RawGrpc(server.Grpc);
        var message = FloodRequest(kind, (int)(HardenedServer.MaxBodyBytes - 4096));
        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => grpc.CallAsync("ModelInfer", RawGrpc.Frame(message))));
        foreach (var (status, text) in results)
        {
            Assert.True(status is InvalidArgument or ResourceExhausted, $"{kind} flood: status {status} '{text}'");
        }

        await server.AssertHealthyAsync();
    }

    [Fact]
    public async Task OversizedFrame_ResourceExhausted()
    {
        using var grpc = new RawGrpc(server.Grpc);
        var big = new byte[(int)HardenedServer.MaxBodyBytes + 1024];
        var (status, message) = await grpc.CallAsync("ModelInfer", RawGrpc.Frame(big));
        Assert.True(status == ResourceExhausted, $"status {status} '{message}'");
        await server.AssertHealthyAsync();
    }

    internal static ModelInferRequest ValidRequest(int offset)
    {
        var request = new ModelInferRequest { ModelName = "simple" };
        foreach (var name in new[] { "INPUT0", "INPUT1" })
        {
            var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT32", Contents = new InferTensorContents() };
            input.Shape.Add([1, 16]);
            input.Contents.IntContents.Add(name == "INPUT0" ? Enumerable.Range(offset, 16) : Enumerable.Repeat(1, 16));
            request.Inputs.Add(input);
        }

        return request;
    }

    /// <summary>A ModelInferRequest for simple whose INPUT0 carries about <paramref name="bytes"/> bytes of typed contents.</summary>
    private static byte[] FloodRequest(string kind, int bytes)
    {
        // InferTensorContents, written by hand: bytes_contents (field 8) as one-byte entries, or int64_contents
        // (field 3) packed as one-byte varints.
        byte[] contents;
        if (kind == "bytes")
        {
            var count = bytes / 3;
            contents = new byte[count * 3];
            for (var i = 0; i < count; i++)
            {
                contents[i * 3] = (8 << 3) | 2;
                contents[(i * 3) + 1] = 1;
                contents[(i * 3) + 2] = (byte)'x';
            }
        }
        else
        {
            var packed = new MemoryStream();
            var output = new CodedOutputStream(packed);
            output.WriteTag(3, WireFormat.WireType.LengthDelimited);
            output.WriteLength(bytes - 8);
            output.Flush();
            packed.Write(new byte[bytes - 8].AsSpan()); // every varint is 0: one byte each
            contents = packed.ToArray();
        }

        var inputStream = new MemoryStream();
        var input = new CodedOutputStream(inputStream);
        input.WriteTag(1, WireFormat.WireType.LengthDelimited);
        input.WriteString("INPUT0");
        input.WriteTag(2, WireFormat.WireType.LengthDelimited);
        input.WriteString("INT32");
        input.WriteTag(3, WireFormat.WireType.LengthDelimited);
        input.WriteLength(2);
        input.WriteInt64(1);
        input.WriteInt64(16);
        input.WriteTag(5, WireFormat.WireType.LengthDelimited);
        input.WriteLength(contents.Length);
        input.Flush();
        inputStream.Write(contents);

        var requestStream = new MemoryStream();
        var request = new CodedOutputStream(requestStream);
        request.WriteTag(1, WireFormat.WireType.LengthDelimited);
        request.WriteString("simple");
        request.WriteTag(5, WireFormat.WireType.LengthDelimited);
        request.WriteLength((int)inputStream.Length);
        request.Flush();
        inputStream.Position = 0;
        inputStream.CopyTo(requestStream);
        return requestStream.ToArray();
    }
}
