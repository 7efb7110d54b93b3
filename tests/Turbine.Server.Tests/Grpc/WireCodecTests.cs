using System.Buffers;
using Google.Protobuf;
using Turbine.Core;
using Turbine.Core.Tensors;
using Turbine.Protocol;
using Turbine.Protocol.Grpc;
using Turbine.Server.Grpc;

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
    private static readonly string[] Datatypes = [.. TensorDataTypes.All().Select(t => t.ToWireName()), "FLOAT", "", "int32"];
    private static readonly string[] Names = ["", "simple", "INPUT0", "x", "h\u00e9llo \u65e5\u672c \U0001F600", new string('n', 100)];
    private static readonly string[] Versions = ["", "1", "2", "0", "-1", "abc", "007"];

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

    private static ModelInferRequest RandomRequest(Random random)
    {
        var message = new ModelInferRequest
        {
            ModelName = Pick(random, Names),
            ModelVersion = random.Next(4) == 0 ? Pick(random, Versions) : "",
            Id = random.Next(3) == 0 ? "id-" + random.Next(1000) : "",
        };
        AddParameters(random, message.Parameters, random.Next(4) == 0 ? random.Next(1, 4) : 0, random.Next(6) == 0);
        var typed = random.Next(6) == 0;
        var inputs = random.Next(0, 5);
        var raw = 0;
        for (var i = 0; i < inputs; i++)
        {
            var type = random.Next(12) == 0 ? Pick(random, Datatypes) : Pick(random, Datatypes[..14]);
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = Pick(random, Names), Datatype = type };
            var dims = random.Next(0, 4);
            for (var d = 0; d < dims; d++)
            {
                tensor.Shape.Add(random.Next(30) == 0 ? -random.Next(1, 5) : random.Next(30) == 0 ? long.MaxValue - random.Next(3) : random.Next(0, 5));
            }

            var shm = random.Next(8) == 0;
            if (shm)
            {
                var which = random.Next(3);
                tensor.Parameters[which == 0 ? "shared_memory_offset" : "shared_memory_region"] = new Protocol.Grpc.InferParameter { StringParam = "region" };
                if (which == 2)
                {
                    tensor.Parameters["shared_memory_byte_size"] = new Protocol.Grpc.InferParameter { Int64Param = 64 };
                }
            }
            else
            {
                raw++;
            }

            AddParameters(random, tensor.Parameters, random.Next(5) == 0 ? random.Next(1, 3) : 0, false);
            if (typed && random.Next(2) == 0)
            {
                tensor.Contents = new InferTensorContents();
                tensor.Contents.Int64Contents.Add(Enumerable.Range(0, random.Next(0, 4)).Select(v => (long)v));
            }

            message.Inputs.Add(tensor);
        }

        // Usually one raw entry per input not in a region; sometimes none, one too few or one too many.
        var entries = random.Next(10) switch
        {
            0 => 0,
            1 => Math.Max(0, raw - 1),
            2 => raw + 1,
            _ => raw,
        };
        for (var i = 0; i < entries; i++)
        {
            var size = random.Next(20) == 0 ? random.Next(100_000, 300_000) : random.Next(0, 80);
            message.RawInputContents.Add(ByteString.CopyFrom(RandomBytes(random, size)));
        }

        var outputs = random.Next(0, 3);
        for (var i = 0; i < outputs; i++)
        {
            var output = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = Pick(random, Names) };
            AddParameters(random, output.Parameters, random.Next(3) == 0 ? random.Next(1, 3) : 0, false);
            message.Outputs.Add(output);
        }

        return message;
    }

    private static void AddParameters(Random random, Google.Protobuf.Collections.MapField<string, Protocol.Grpc.InferParameter> map, int count, bool sequence)
    {
        for (var i = 0; i < count; i++)
        {
            var p = new Protocol.Grpc.InferParameter();
            switch (random.Next(7))
            {
                case 0: p.BoolParam = random.Next(2) == 0; break;
                case 1: p.Int64Param = random.Next(3) == 0 ? long.MinValue + random.Next(5) : random.Next(-5, 1000); break;
                case 2: p.Uint64Param = random.Next(3) == 0 ? ulong.MaxValue - (ulong)random.Next(5) : (ulong)random.Next(1000); break;
                case 3: p.DoubleParam = random.Next(4) == 0 ? double.NaN : random.NextDouble() * 1000 - 500; break;
                case 4: p.StringParam = Pick(random, Names); break;
                case 5: p.StringParam = ""; break;
                default: break; // no value set
            }

            map[Pick(random, ["priority", "timeout", "binary_data", "classification", "", "k\u00e9y", "sequence_id"]) + (random.Next(3) == 0 ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")] = p;
        }

        if (sequence)
        {
            map["sequence_id"] = new Protocol.Grpc.InferParameter { Uint64Param = (ulong)random.Next(1, 10) };
        }
    }

    private static InferenceResponse RandomResponse(Random random)
    {
        var outputs = new List<InferenceTensor>();
        var count = random.Next(0, 4);
        for (var i = 0; i < count; i++)
        {
            var type = TensorDataTypes.All().ElementAt(random.Next(TensorDataTypes.All().Count()));
            long[] shape = [.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.Next(20) == 0 ? -1L : random.Next(0, 300))];
            var data = RandomBytes(random, random.Next(10) == 0 ? random.Next(70_000, 200_000) : random.Next(0, 100));
            var tensor = new InferenceTensor(Pick(random, Names), type, shape, data);
            if (random.Next(5) == 0)
            {
                tensor.Parameters = new Dictionary<string, Core.Tensors.InferParameter>
                {
                    ["shared_memory_region"] = Core.Tensors.InferParameter.FromString(Pick(random, Names)),
                    ["shared_memory_byte_size"] = Core.Tensors.InferParameter.FromInt64(random.Next(0, 5000)),
                };
                if (random.Next(2) == 0)
                {
                    tensor.Parameters["shared_memory_offset"] = Core.Tensors.InferParameter.FromInt64(random.Next(3) == 0 ? 0 : -7);
                }
            }
            else if (random.Next(5) == 0)
            {
                tensor.Parameters = new Dictionary<string, Core.Tensors.InferParameter> { ["classification"] = Core.Tensors.InferParameter.FromInt64(2) };
            }

            outputs.Add(tensor);
        }

        return new InferenceResponse(Pick(random, Names), random.Next(4) == 0 ? 0 : random.Next(1, 100_000), random.Next(2) == 0 ? "" : "id-" + random.Next(99), outputs, null);
    }

    private enum Level
    {
        Request,
        Input,
        Output,
        MapEntry,
        Parameter,
        Opaque,
    }

    /// <summary>
    /// Re-encodes a message with the same meaning under protobuf's rules: fields shuffled (fields with the same number
    /// keep their order, so repeated fields and last-wins singular fields mean the same), unknown fields of every wire
    /// type inserted, packed shapes written unpacked.
    /// </summary>
    private static byte[] Reencode(byte[] bytes, Level level, Random random, bool shuffle, bool unknown, bool unpack)
    {
        var fields = new List<(int Field, byte[] Encoded)>();
        var pos = 0;
        while (pos < bytes.Length)
        {
            var tag = Varint(bytes, ref pos);
            var field = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            var start = pos;
            var output = new List<byte>();
            switch (wire)
            {
                case 0:
                    var v = Varint(bytes, ref pos);
                    output.AddRange(Tag(field, 0));
                    output.AddRange(VarintBytes(v));
                    break;
                case 1:
                    pos += 8;
                    output.AddRange(Tag(field, 1));
                    output.AddRange(bytes[start..pos]);
                    break;
                case 5:
                    pos += 4;
                    output.AddRange(Tag(field, 5));
                    output.AddRange(bytes[start..pos]);
                    break;
                default:
                    var len = (int)Varint(bytes, ref pos);
                    var body = bytes[pos..(pos + len)];
                    pos += len;
                    var nested = (level, field) switch
                    {
                        (Level.Request, 5) => Level.Input,
                        (Level.Request, 6) => Level.Output,
                        (Level.Request, 4) or (Level.Input, 4) or (Level.Output, 2) => Level.MapEntry,
                        (Level.MapEntry, 2) => Level.Parameter,
                        _ => Level.Opaque,
                    };
                    if (level == Level.Input && field == 3 && unpack && random.Next(2) == 0)
                    {
                        var p = 0;
                        while (p < body.Length)
                        {
                            output.AddRange(Tag(3, 0));
                            output.AddRange(VarintBytes(Varint(body, ref p)));
                        }
                    }
                    else
                    {
                        if (nested != Level.Opaque)
                        {
                            body = Reencode(body, nested, random, shuffle, unknown, unpack);
                        }

                        output.AddRange(Tag(field, 2));
                        output.AddRange(VarintBytes((ulong)body.Length));
                        output.AddRange(body);
                    }

                    break;
            }

            fields.Add((field, [.. output]));
        }

        if (unknown)
        {
            foreach (var extra in new[] { (99, 0), (100, 2), (101, 5), (102, 1), (level == Level.Request ? 2000 : 3, level == Level.Request ? 2 : 5) })
            {
                if (random.Next(3) != 0 || (level == Level.Input && extra.Item1 == 3))
                {
                    continue;
                }

                var encoded = new List<byte>(Tag(extra.Item1, extra.Item2));
                encoded.AddRange(extra.Item2 switch
                {
                    0 => VarintBytes((ulong)random.NextInt64()),
                    1 => RandomBytes(random, 8),
                    5 => RandomBytes(random, 4),
                    _ => [.. VarintBytes(3), .. RandomBytes(random, 3)],
                });
                fields.Insert(random.Next(fields.Count + 1), (extra.Item1 + 10_000, [.. encoded]));
            }
        }

        if (shuffle)
        {
            // A stable shuffle by field: each field number's occurrences keep their relative order.
            var numbers = fields.Select(f => f.Field).Distinct().OrderBy(_ => random.Next()).ToList();
            var queues = numbers.ToDictionary(n => n, n => new Queue<byte[]>(fields.Where(f => f.Field == n).Select(f => f.Encoded)));
            var order = fields.Select(f => f.Field).OrderBy(_ => random.Next()).ToList();
            return [.. order.SelectMany(n => queues[n].Dequeue())];
        }

        return [.. fields.SelectMany(f => f.Encoded)];
    }

    private static ulong Varint(byte[] bytes, ref int pos)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private static byte[] Tag(int field, int wire) => VarintBytes((ulong)((field << 3) | wire));

    private static byte[] VarintBytes(ulong value)
    {
        var output = new List<byte>();
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
        return [.. output];
    }

    private static ReadOnlySequence<byte> Segmented(byte[] bytes, Random random)
    {
        if (bytes.Length < 2 || random.Next(2) == 0)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        var cut = random.Next(1, bytes.Length);
        var first = new Segment(bytes.AsMemory(0, cut));
        var last = first.Append(bytes.AsMemory(cut));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }

    private static byte[] Flip(byte[] bytes, Random random)
    {
        var copy = (byte[])bytes.Clone();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }

        return copy;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, T[] values) => values[random.Next(values.Length)];
}
