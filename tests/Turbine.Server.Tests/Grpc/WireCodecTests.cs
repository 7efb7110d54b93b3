using System.Buffers;
using Google.Protobuf;
using Turbine.Core;
using Turbine.Core.Tensors;
using Turbine.Protocol;
using Turbine.Protocol.Grpc;
using Turbine.Server.Grpc;

using static Turbine.Server.Tests.Grpc.WireMessages;

namespace Turbine.Server.Tests.Grpc;

/// <summary>
/// Wire compatibility of the hand-written ModelInfer marshaller: thousands of seeded random <c>ModelInferRequest</c>s
/// (every field, every datatype, parameters of each kind, unknown fields, fields out of order, packed and unpacked
/// shapes, empty and large values, split into frame segments) read by <see cref="WireInferRequestReader"/> must give
/// the same engine request (or the same error) as protobuf + <see cref="GrpcInferRequestReader"/>; the response bytes
/// must be exactly what Google.Protobuf writes for the message <see cref="GrpcResponses.Infer"/> builds; malformed
/// bytes are refused as INVALID_ARGUMENT naming the problem, never with an exception.
/// </summary>
public sealed class WireCodecTests
{
    [Fact]
    public void Random_requests_read_the_same_as_protobuf_and_the_generated_reader()
    {
        var random = new Random(22);
        int fast = 0, fallback = 0, errors = 0;
        for (var i = 0; i < 3000; i++)
        {
            var message = RandomRequest(random);
            var bytes = message.ToByteArray();
            var variant = random.Next(4) switch
            {
                0 => bytes,
                1 => Reencode(bytes, Level.Request, random, shuffle: true, unknown: false, unpack: false),
                2 => Reencode(bytes, Level.Request, random, shuffle: false, unknown: true, unpack: true),
                _ => Reencode(bytes, Level.Request, random, shuffle: true, unknown: true, unpack: true),
            };

            var outcome = Compare(variant, random, $"case {i}");
            fast += outcome == 0 ? 1 : 0;
            fallback += outcome == 1 ? 1 : 0;
            errors += outcome == 2 ? 1 : 0;
        }

        // The generator reaches every branch: built from the wire, handed to protobuf, refused.
        Assert.True(fast > 300, $"fast {fast}");
        Assert.True(fallback > 100, $"fallback {fallback}");
        Assert.True(errors > 100, $"errors {errors}");
    }

    [Fact]
    public void A_simple_request_is_built_from_the_wire_with_inputs_in_place_in_one_pooled_copy()
    {
        var message = new ModelInferRequest { ModelName = "simple", ModelVersion = "1", Id = "r1" };
        foreach (var name in new[] { "INPUT0", "INPUT1" })
        {
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT32" };
            tensor.Shape.Add([1, 16]);
            message.Inputs.Add(tensor);
            message.RawInputContents.Add(ByteString.CopyFrom(Enumerable.Range(0, 64).Select(b => (byte)b).ToArray()));
        }

        message.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "OUTPUT0" });
        var call = WireInferRequestReader.Read(new ReadOnlySequence<byte>(message.ToByteArray()));
        Assert.Null(call.Message);
        Assert.Null(call.Error);
        using var request = call.Request!;
        Assert.NotNull(request.BodyOwner);
        Assert.Equal(("simple", 1L, "r1"), (request.ModelName, request.ModelVersion!.Value, request.Id));
        Assert.Equal(64, request.Inputs[1].Data.Length);
        Assert.Equal(63, request.Inputs[1].Data.Span[63]);
        Assert.Equal("OUTPUT0", Assert.Single(request.Outputs).Name);
    }

    [Theory]
    [InlineData(new byte[] { 0x0A }, "truncated varint")]
    [InlineData(new byte[] { 0x0A, 0x05, 0x61 }, "runs past the end")]
    [InlineData(new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, "runs past the end")]
    [InlineData(new byte[] { 0x2A, 0x0A, 0x0A, 0x80 }, "runs past the end")]
    [InlineData(new byte[] { 0x2A, 0x02, 0x1A, 0x80 }, "truncated varint")]
    [InlineData(new byte[] { 0x2A, 0x03, 0x1A, 0x01, 0x80 }, "packed shape")]
    [InlineData(new byte[] { 0x0F, 0x00 }, "wire type 7")]
    [InlineData(new byte[] { 0x0B, 0x0C }, "wire type 3")]
    [InlineData(new byte[] { 0x00, 0x01 }, "field number 0")]
    [InlineData(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "truncated")]
    [InlineData(new byte[] { 0x0A, 0x02, 0xC3, 0x28 }, "UTF-8")]
    [InlineData(new byte[] { 0x22, 0x04, 0x0A, 0x02, 0xC3, 0x28 }, "UTF-8")]
    [InlineData(new byte[] { 0x22, 0x04, 0x12, 0x02, 0x1A, 0x05 }, "runs past the end")]
    [InlineData(new byte[] { 0x32, 0x03, 0x12, 0x01, 0x00 }, "parameters entry")]
    public void Malformed_bytes_are_refused_as_invalid_argument_naming_the_problem(byte[] bytes, string problem)
    {
        var call = WireInferRequestReader.Read(new ReadOnlySequence<byte>(bytes));
        Assert.Null(call.Request);
        Assert.Null(call.Message);
        Assert.Equal(StatusCode.InvalidArgument, call.Error!.Code);
        Assert.Contains("malformed", call.Error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, call.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutated_messages_never_throw_and_what_is_accepted_matches_protobuf()
    {
        var random = new Random(7);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = RandomRequest(random).ToByteArray();
            if (bytes.Length == 0)
            {
                continue;
            }

            var mutated = random.Next(3) switch
            {
                0 => bytes[..random.Next(bytes.Length)],
                1 => Flip(bytes, random),
                _ => [.. bytes, .. RandomBytes(random, random.Next(1, 8))],
            };

            var call = WireInferRequestReader.Read(new ReadOnlySequence<byte>(mutated));
            if (call.Request is not null)
            {
                // Accepted from the wire: protobuf accepts it too and the reader agrees.
                Compare(mutated, random, $"mutation {i}");
                call.Request.Dispose();
            }
        }
    }

    [Fact]
    public void Responses_are_written_byte_for_byte_as_protobuf_writes_the_generated_message()
    {
        var random = new Random(5);
        for (var i = 0; i < 1000; i++)
        {
            using var response = RandomResponse(random);
            var expected = GrpcResponses.Infer(response).ToByteArray();
            var writer = new ArrayBufferWriter<byte>();
            var length = WireInferResponse.Write(response, writer);
            Assert.Equal(expected.Length, length);
            Assert.Equal(expected, writer.WrittenSpan.ToArray());
        }
    }

    [Fact]
    public void Stream_responses_are_written_as_the_stream_builds_them()
    {
        var random = new Random(6);
        for (var i = 0; i < 500; i++)
        {
            using var response = RandomResponse(random);
            var final = random.Next(2) == 0;
            var error = random.Next(3) == 0;
            var reply = error
                ? new WireStreamReply { ErrorMessage = "it failed: \u00e9", ModelName = response.ModelName, ModelVersion = Pick(random, Versions), Id = response.Id, Final = final }
                : new WireStreamReply { Response = response, Final = final };
            var message = error
                ? new ModelStreamInferResponse { ErrorMessage = reply.ErrorMessage, InferResponse = new ModelInferResponse { ModelName = reply.ModelName, ModelVersion = reply.ModelVersion, Id = reply.Id } }
                : new ModelStreamInferResponse { InferResponse = GrpcResponses.Infer(response) };
            message.InferResponse.Parameters[InferenceGrpcService.FinalResponseParameter] = new Protocol.Grpc.InferParameter { BoolParam = final };
            var writer = new ArrayBufferWriter<byte>();
            var length = WireInferResponse.WriteStream(reply, writer, sizeOnly: false);
            Assert.Equal(message.ToByteArray(), writer.WrittenSpan.ToArray());
            Assert.Equal(writer.WrittenCount, length);
        }
    }

    /// <summary>0: built from the wire, 1: handed to protobuf, 2: refused (as the generated reader refuses it).</summary>
    private static int Compare(byte[] bytes, Random random, string label)
    {
        var expected = GrpcInferRequestReader.Read(ModelInferRequest.Parser.ParseFrom(bytes), long.MaxValue);
        var call = WireInferRequestReader.Read(Segmented(bytes, random));
        try
        {
            if (call.Message is not null)
            {
                Assert.Equal(ModelInferRequest.Parser.ParseFrom(bytes), call.Message);
                return 1;
            }

            if (call.Error is not null)
            {
                Assert.False(expected.IsOk, $"{label}: the wire reader refused what the generated reader accepts: {call.Error.Message}");
                Assert.Equal((expected.Error.Code, expected.Error.Message), (call.Error.Code, call.Error.Message));
                return 2;
            }

            Assert.True(expected.IsOk, $"{label}: the wire reader accepted what the generated reader refuses: {(expected.IsOk ? "" : expected.Error.Message)}");
            AssertSame(expected.Value, call.Request!, label);
            return 0;
        }
        finally
        {
            call.Request?.Dispose();
            if (expected.IsOk)
            {
                expected.Value.Dispose();
            }
        }
    }

    private static void AssertSame(InferenceRequest expected, InferenceRequest actual, string label)
    {
        Assert.Equal(expected.ModelName, actual.ModelName);
        Assert.Equal(expected.ModelVersion, actual.ModelVersion);
        Assert.Equal(expected.Id, actual.Id);
        AssertParameters(expected.Parameters, actual.Parameters, label);
        Assert.Equal(expected.Inputs.Count, actual.Inputs.Count);
        for (var i = 0; i < expected.Inputs.Count; i++)
        {
            var e = expected.Inputs[i];
            var a = actual.Inputs[i];
            Assert.Equal((e.Name, e.DataType), (a.Name, a.DataType));
            Assert.Equal(e.Shape, a.Shape);
            Assert.True(e.Data.Span.SequenceEqual(a.Data.Span), $"{label}: input {i} data");
            AssertParameters(e.Parameters, a.Parameters, label);
        }

        Assert.Equal(expected.Outputs.Count, actual.Outputs.Count);
        for (var i = 0; i < expected.Outputs.Count; i++)
        {
            Assert.Equal(expected.Outputs[i].Name, actual.Outputs[i].Name);
            AssertParameters(expected.Outputs[i].Parameters, actual.Outputs[i].Parameters, label);
        }
    }

    private static void AssertParameters(Dictionary<string, Core.Tensors.InferParameter>? expected, Dictionary<string, Core.Tensors.InferParameter>? actual, string label)
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is null)
        {
            return;
        }

        Assert.Equal(expected.Count, actual!.Count);
        foreach (var (key, value) in expected)
        {
            Assert.True(actual.TryGetValue(key, out var other), $"{label}: parameter '{key}' missing");
            Assert.Equal(value, other);
        }
    }
}
