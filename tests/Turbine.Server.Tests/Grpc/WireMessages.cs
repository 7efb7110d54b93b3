using System.Buffers;
using Google.Protobuf;
using Turbine.Core;
using Turbine.Core.Tensors;
using Turbine.Protocol;
using Turbine.Protocol.Grpc;

namespace Turbine.Server.Tests.Grpc;

/// <summary>Seeded random ModelInferRequests and engine responses, and protobuf-preserving re-encodings, for <see cref="WireCodecTests"/>.</summary>
internal static class WireMessages
{
    internal static readonly string[] Datatypes = [.. TensorDataTypes.All().Select(t => t.ToWireName()), "FLOAT", "", "int32"];
    internal static readonly string[] Names = ["", "simple", "INPUT0", "x", "h\u00e9llo \u65e5\u672c \U0001F600", new string('n', 100)];
    internal static readonly string[] Versions = ["", "1", "2", "0", "-1", "abc", "007"];

    internal static ModelInferRequest RandomRequest(Random random)
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

    internal static void AddParameters(Random random, Google.Protobuf.Collections.MapField<string, Protocol.Grpc.InferParameter> map, int count, bool sequence)
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

    internal static InferenceResponse RandomResponse(Random random)
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

    internal enum Level
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
    internal static byte[] Reencode(byte[] bytes, Level level, Random random, bool shuffle, bool unknown, bool unpack)
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

    internal static ulong Varint(byte[] bytes, ref int pos)
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

    internal static byte[] Tag(int field, int wire) => VarintBytes((ulong)((field << 3) | wire));

    internal static byte[] VarintBytes(ulong value)
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

    internal static ReadOnlySequence<byte> Segmented(byte[] bytes, Random random)
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

    internal sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }

    internal static byte[] Flip(byte[] bytes, Random random)
    {
        var copy = (byte[])bytes.Clone();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }

        return copy;
    }

    internal static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    internal static T Pick<T>(Random random, T[] values) => values[random.Next(values.Length)];
}
