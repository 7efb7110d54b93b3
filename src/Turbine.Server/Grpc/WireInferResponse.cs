using System.Buffers;
using System.Text;
using Grpc.Core;
using Turbine.Core;
using Turbine.Core.SharedMemory;
using Turbine.Core.Tensors;

namespace Turbine.Server.Grpc;

/// <summary>
/// One <c>ModelStreamInferResponse</c> to write: an engine response (or, for an error or a decoupled model's empty final
/// response, the request's model, version and id) and the <c>triton_final_response</c> flag.
/// </summary>
internal sealed class WireStreamReply
{
    public InferenceResponse? Response { get; init; }

    public string? ErrorMessage { get; init; }

    public string ModelName { get; init; } = "";

    public string ModelVersion { get; init; } = "";

    public string Id { get; init; } = "";

    public bool Final { get; init; }
}

/// <summary>
/// Writes <c>ModelInferResponse</c> (and <c>ModelStreamInferResponse</c>) bytes straight from the engine's response into
/// gRPC's buffer writer: the same fields, values and order Google.Protobuf writes for the message
/// <see cref="GrpcResponses.Infer"/> builds, without building it. Outputs go in <c>raw_output_contents</c>, copied once
/// from the outputs' own buffers into the frame.
/// </summary>
internal static class WireInferResponse
{
    /// <summary>Answered with an error status: serializes as an empty message, as the generated path's <c>new ModelInferResponse()</c>.</summary>
    public static readonly InferenceResponse Empty = new("", 0, "", [], null);

    private static readonly byte[] FinalKey = Encoding.UTF8.GetBytes(InferenceGrpcService.FinalResponseParameter);

    public static void Serialize(InferenceResponse response, SerializationContext context)
    {
        if (ReferenceEquals(response, Empty))
        {
            context.Complete([]);
            return;
        }

        Span<byte> version = stackalloc byte[24];
        response.ModelVersion.TryFormat(version, out var n, provider: System.Globalization.CultureInfo.InvariantCulture);
        var size = InferSize(response.ModelName, version[..n], response.Id, null, response.Outputs);
        context.SetPayloadLength(size);
        var writer = context.GetBufferWriter();
        WriteInfer(writer, response.ModelName, version[..n], response.Id, null, response.Outputs);
        context.Complete();
    }

    public static void SerializeStream(WireStreamReply reply, SerializationContext context)
    {
        // The length goes first: grpc-dotnet then writes the frame header and hands out the pipe itself.
        context.SetPayloadLength(WriteStream(reply, null, sizeOnly: true));
        WriteStream(reply, context.GetBufferWriter(), sizeOnly: false);
        context.Complete();
    }

    /// <summary>Writes the response into <paramref name="writer"/> (tests and benchmarks); returns its length.</summary>
    public static int Write(InferenceResponse response, IBufferWriter<byte> writer)
    {
        Span<byte> version = stackalloc byte[24];
        response.ModelVersion.TryFormat(version, out var n, provider: System.Globalization.CultureInfo.InvariantCulture);
        WriteInfer(writer, response.ModelName, version[..n], response.Id, null, response.Outputs);
        return InferSize(response.ModelName, version[..n], response.Id, null, response.Outputs);
    }

    /// <summary>Writes (or only measures) one stream response; returns its length.</summary>
    public static int WriteStream(WireStreamReply reply, IBufferWriter<byte>? writer, bool sizeOnly)
    {
        Span<byte> version = stackalloc byte[24];
        scoped ReadOnlySpan<byte> versionBytes;
        string model, id;
        List<InferenceTensor>? outputs = null;
        if (reply.Response is { } response)
        {
            response.ModelVersion.TryFormat(version, out var n, provider: System.Globalization.CultureInfo.InvariantCulture);
            versionBytes = version[..n];
            model = response.ModelName;
            id = response.Id;
            outputs = response.Outputs;
        }
        else
        {
            versionBytes = Encoding.UTF8.GetBytes(reply.ModelVersion);
            model = reply.ModelName;
            id = reply.Id;
        }

        var inner = InferSize(model, versionBytes, id, reply.Final, outputs);
        var size = StringSize(reply.ErrorMessage ?? "") + 1 + VarintSize((ulong)inner) + inner;
        if (!sizeOnly && writer is not null)
        {
            WriteString(writer, 1, reply.ErrorMessage ?? "");
            WriteTag(writer, 2, 2);
            WriteVarint(writer, (ulong)inner);
            WriteInfer(writer, model, versionBytes, id, reply.Final, outputs);
        }

        return size;
    }

    private static int InferSize(string model, ReadOnlySpan<byte> version, string id, bool? final, List<InferenceTensor>? outputs)
    {
        var size = StringSize(model) + BytesSize(version.Length, omitEmpty: true) + StringSize(id);
        if (final is not null)
        {
            var entry = FinalEntrySize();
            size += 1 + VarintSize((ulong)entry) + entry;
        }

        if (outputs is not null)
        {
            foreach (var output in outputs)
            {
                var tensor = TensorSize(output);
                size += 1 + VarintSize((ulong)tensor) + tensor;
                size += BytesSize(output.Data.Length, omitEmpty: false);
            }
        }

        return size;
    }

    private static void WriteInfer(IBufferWriter<byte> w, string model, ReadOnlySpan<byte> version, string id, bool? final, List<InferenceTensor>? outputs)
    {
        WriteString(w, 1, model);
        if (!version.IsEmpty)
        {
            WriteBytes(w, 2, version);
        }

        WriteString(w, 3, id);
        if (final is { } isFinal)
        {
            // parameters { "triton_final_response": { bool_param: final } }
            WriteTag(w, 4, 2);
            WriteVarint(w, (ulong)FinalEntrySize());
            WriteBytes(w, 1, FinalKey);
            WriteTag(w, 2, 2);
            WriteVarint(w, 2);
            WriteTag(w, 1, 0);
            WriteVarint(w, isFinal ? 1UL : 0UL);
        }

        if (outputs is null)
        {
            return;
        }

        foreach (var output in outputs)
        {
            WriteTag(w, 5, 2);
            WriteVarint(w, (ulong)TensorSize(output));
            WriteString(w, 1, output.Name);
            WriteString(w, 2, output.DataType.ToWireName());
            if (output.Shape.Length > 0)
            {
                WriteTag(w, 3, 2);
                WriteVarint(w, (ulong)ShapeSize(output.Shape));
                foreach (var d in output.Shape)
                {
                    WriteVarint(w, unchecked((ulong)d));
                }
            }

            if (SharedMemoryParameters.Present(output.Parameters))
            {
                foreach (var (key, value) in output.Parameters!)
                {
                    var entry = EntrySize(key, value);
                    WriteTag(w, 4, 2);
                    WriteVarint(w, (ulong)entry);
                    WriteString(w, 1, key);
                    var inner = ParameterSize(value);
                    WriteTag(w, 2, 2);
                    WriteVarint(w, (ulong)inner);
                    if (value.Kind == InferParameterKind.String)
                    {
                        WriteStringAlways(w, 3, value.StringValue);
                    }
                    else
                    {
                        WriteTag(w, 2, 0);
                        WriteVarint(w, unchecked((ulong)value.Int64Value));
                    }
                }
            }
        }

        foreach (var output in outputs)
        {
            WriteTag(w, 6, 2);
            WriteVarint(w, (ulong)output.Data.Length);
            var data = output.Data.Span;
            while (!data.IsEmpty)
            {
                var target = w.GetSpan(Math.Min(data.Length, 1 << 16));
                var n = Math.Min(target.Length, data.Length);
                data[..n].CopyTo(target);
                w.Advance(n);
                data = data[n..];
            }
        }
    }

    private static int TensorSize(InferenceTensor output)
    {
        var size = StringSize(output.Name) + StringSize(output.DataType.ToWireName());
        if (output.Shape.Length > 0)
        {
            var shape = ShapeSize(output.Shape);
            size += 1 + VarintSize((ulong)shape) + shape;
        }

        if (SharedMemoryParameters.Present(output.Parameters))
        {
            foreach (var (key, value) in output.Parameters!)
            {
                var entry = EntrySize(key, value);
                size += 1 + VarintSize((ulong)entry) + entry;
            }
        }

        return size;
    }

    private static int FinalEntrySize() => 1 + VarintSize((ulong)FinalKey.Length) + FinalKey.Length + 4;

    private static int EntrySize(string key, InferParameter value)
    {
        var inner = ParameterSize(value);
        return StringSize(key) + 1 + VarintSize((ulong)inner) + inner;
    }

    /// <summary>A oneof member is written even when it holds its type's default value.</summary>
    private static int ParameterSize(InferParameter value)
    {
        if (value.Kind == InferParameterKind.String)
        {
            var n = Encoding.UTF8.GetByteCount(value.StringValue);
            return 1 + VarintSize((ulong)n) + n;
        }

        return 1 + VarintSize(unchecked((ulong)value.Int64Value));
    }

    private static int ShapeSize(long[] shape)
    {
        var size = 0;
        foreach (var d in shape)
        {
            size += VarintSize(unchecked((ulong)d));
        }

        return size;
    }

    private static int StringSize(string value)
    {
        if (value.Length == 0)
        {
            return 0;
        }

        var n = Encoding.UTF8.GetByteCount(value);
        return 1 + VarintSize((ulong)n) + n;
    }

    private static int BytesSize(int length, bool omitEmpty) =>
        length == 0 && omitEmpty ? 0 : 1 + VarintSize((ulong)length) + length;

    private static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private static void WriteTag(IBufferWriter<byte> w, int field, int wire) => WriteVarint(w, (ulong)((field << 3) | wire));

    private static void WriteVarint(IBufferWriter<byte> w, ulong value)
    {
        var span = w.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        w.Advance(i);
    }

    private static void WriteString(IBufferWriter<byte> w, int field, string value)
    {
        if (value.Length > 0)
        {
            WriteStringAlways(w, field, value);
        }
    }

    private static void WriteStringAlways(IBufferWriter<byte> w, int field, string value)
    {
        var n = Encoding.UTF8.GetByteCount(value);
        WriteTag(w, field, 2);
        WriteVarint(w, (ulong)n);
        if (n > 0)
        {
            var span = w.GetSpan(n);
            w.Advance(Encoding.UTF8.GetBytes(value, span));
        }
    }

    private static void WriteBytes(IBufferWriter<byte> w, int field, ReadOnlySpan<byte> value)
    {
        WriteTag(w, field, 2);
        WriteVarint(w, (ulong)value.Length);
        if (!value.IsEmpty)
        {
            value.CopyTo(w.GetSpan(value.Length));
            w.Advance(value.Length);
        }
    }
}
