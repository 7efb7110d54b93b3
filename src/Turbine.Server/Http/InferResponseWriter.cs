using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Turbine.Core;
using Turbine.Core.SharedMemory;
using Turbine.Core.Tensors;

namespace Turbine.Server.Http;

/// <summary>
/// Writes an inference response: JSON, or a JSON header followed by raw output sections (binary tensor data
/// extension) written straight from the outputs' buffers; gzip/deflate when the client accepts it.
/// </summary>
internal static class InferResponseWriter
{
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    public static async Task WriteAsync(HttpContext context, InferenceRequest request, InferenceResponse response)
    {
        // The REST reader puts the flags in fields; a request built in code may still carry them as parameters.
        var defaultBinary = request.BinaryDataOutput
            ?? (request.Parameters is not null && request.Parameters.TryGetValue("binary_data_output", out var b) && b.TryGetBool(out var bv) && bv);
        var binary = new OutputFlags(response.Outputs.Count);
        var anyBinary = false;
        long binaryBytes = 0;
        using var lease = HeaderLease.Rent();
        var header = lease.Buffer;
        var writer = RentWriter(header);
        try
        {
            writer.WriteStartObject();
            writer.WriteString("model_name", response.ModelName);
            Span<char> version = stackalloc char[20];
            response.ModelVersion.TryFormat(version, out var versionLength, provider: CultureInfo.InvariantCulture);
            writer.WriteString("model_version", version[..versionLength]);
            if (response.Id.Length > 0)
            {
                writer.WriteString("id", response.Id);
            }

            writer.WriteStartArray("outputs");
            for (var i = 0; i < response.Outputs.Count; i++)
            {
                var output = response.Outputs[i];
                binary.Set(i, !SharedMemoryParameters.Present(output.Parameters) && WantsBinary(request, output.Name, defaultBinary));
                writer.WriteStartObject();
                writer.WriteString("name", output.Name);
                writer.WriteString("datatype", output.DataType.ToWireName());
                writer.WriteStartArray("shape");
                foreach (var d in output.Shape)
                {
                    writer.WriteNumberValue(d);
                }

                writer.WriteEndArray();
                if (SharedMemoryParameters.Present(output.Parameters))
                {
                    // Written into the client's shared memory region: the parameters say where, and there is no data.
                    writer.WriteStartObject("parameters");
                    foreach (var (key, value) in output.Parameters!)
                    {
                        if (value.Kind == InferParameterKind.String)
                        {
                            writer.WriteString(key, value.StringValue);
                        }
                        else
                        {
                            writer.WriteNumber(key, value.Int64Value);
                        }
                    }

                    writer.WriteEndObject();
                }
                else if (binary.Get(i))
                {
                    anyBinary = true;
                    binaryBytes += output.Data.Length;
                    writer.WriteStartObject("parameters");
                    writer.WriteNumber("binary_data_size", output.Data.Length);
                    writer.WriteEndObject();
                }
                else if (JsonTensorWriter.NeedsBase64(output))
                {
                    writer.WriteStartObject("parameters");
                    writer.WriteString(JsonTensorWriter.ContentTypeParameter, JsonTensorWriter.Base64ContentType);
                    writer.WriteEndObject();
                    JsonTensorWriter.WriteData(writer, output, base64: true);
                }
                else
                {
                    JsonTensorWriter.WriteData(writer, output);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
#pragma warning disable CA1849 // flushes into the pooled header buffer in memory: nothing blocks
            writer.Flush();
#pragma warning restore CA1849
        }
        finally
        {
            ReturnWriter(writer);
        }

        var http = context.Response;
        http.StatusCode = StatusCodes.Status200OK;
        http.ContentType = anyBinary ? "application/octet-stream" : "application/json";
        if (anyBinary)
        {
            http.Headers[HeaderLengthHeader] = HeaderLengthText(header.WrittenCount);
        }

        var encoding = ChooseEncoding(context.Request.Headers.AcceptEncoding.ToString());
        if (encoding is null)
        {
            http.ContentLength = header.WrittenCount + binaryBytes;
            var pipe = http.BodyWriter;
            await pipe.WriteAsync(header.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
            for (var i = 0; i < response.Outputs.Count; i++)
            {
                if (binary.Get(i))
                {
                    await pipe.WriteAsync(response.Outputs[i].Data, context.RequestAborted).ConfigureAwait(false);
                }
            }

            await pipe.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            return;
        }

        http.Headers.ContentEncoding = encoding;
        http.Headers.Vary = "Accept-Encoding";
        Stream compressor = encoding == "gzip"
            ? new GZipStream(http.Body, CompressionLevel.Fastest, leaveOpen: true)
            : new ZLibStream(http.Body, CompressionLevel.Fastest, leaveOpen: true);
        await using (compressor.ConfigureAwait(false))
        {
            await compressor.WriteAsync(header.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
            for (var i = 0; i < response.Outputs.Count; i++)
            {
                if (binary.Get(i))
                {
                    await compressor.WriteAsync(response.Outputs[i].Data, context.RequestAborted).ConfigureAwait(false);
                }
            }
        }
    }

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    [ThreadStatic]
    private static PooledBuffer? _header;

    /// <summary>
    /// The response header's buffer: this thread's cached <see cref="PooledBuffer"/> object when there is one (no object
    /// per response). Disposing returns the array to the pool and caches the object on the thread that finishes the
    /// response; nothing else holds it then.
    /// </summary>
    private readonly struct HeaderLease : IDisposable
    {
        private HeaderLease(PooledBuffer buffer) => Buffer = buffer;

        public PooledBuffer Buffer { get; }

        public static HeaderLease Rent()
        {
            var buffer = _header;
            _header = null;
            if (buffer is null)
            {
#pragma warning disable CA2000 // owned by the lease, disposed by its Dispose
                buffer = new PooledBuffer(512);
#pragma warning restore CA2000
            }
            else
            {
                buffer.Reopen(512);
            }

            return new HeaderLease(buffer);
        }

        public void Dispose()
        {
            Buffer.Dispose();
            _header = Buffer;
        }
    }

    private static LengthText _lastHeaderLength = new(-1, "");

    /// <summary>A JSON writer over <paramref name="header"/>: this thread's cached one when free (the header is written synchronously).</summary>
    private static Utf8JsonWriter RentWriter(PooledBuffer header)
    {
        var writer = _writer;
        _writer = null;
        if (writer is null)
        {
            return new Utf8JsonWriter(header, new JsonWriterOptions { SkipValidation = true, Encoder = JsonResults.WriterOptions.Encoder });
        }

        writer.Reset(header);
        return writer;
    }

    private static void ReturnWriter(Utf8JsonWriter writer)
    {
        writer.Reset(); // drops the buffer
        _writer = writer;
    }

    /// <summary>The header length as text; a model's responses mostly repeat one length, whose string is kept.</summary>
    private static string HeaderLengthText(int length)
    {
        var last = Volatile.Read(ref _lastHeaderLength);
        if (last.Length == length)
        {
            return last.Text;
        }

        var text = length.ToString(CultureInfo.InvariantCulture);
        Volatile.Write(ref _lastHeaderLength, new LengthText(length, text));
        return text;
    }

    private sealed record LengthText(int Length, string Text);

    /// <summary>Which outputs go binary: bits for up to 64 outputs, an array beyond.</summary>
    private struct OutputFlags(int count)
    {
        private readonly bool[]? _many = count > 64 ? new bool[count] : null;
        private ulong _bits;

        public void Set(int i, bool value)
        {
            if (_many is not null)
            {
                _many[i] = value;
            }
            else if (value)
            {
                _bits |= 1UL << i;
            }
        }

        public readonly bool Get(int i) => _many is not null ? _many[i] : (_bits & (1UL << i)) != 0;
    }

    private static bool WantsBinary(InferenceRequest request, string output, bool defaultBinary)
    {
        foreach (var r in request.Outputs)
        {
            if (r.Name != output)
            {
                continue;
            }

            if (r.BinaryData is { } flag)
            {
                return flag;
            }

            if (r.Parameters is not null && r.Parameters.TryGetValue("binary_data", out var p) && p.TryGetBool(out var v))
            {
                return v;
            }
        }

        return defaultBinary;
    }

    /// <summary>Picks gzip or deflate from Accept-Encoding (honouring q=0), gzip first; null for identity.</summary>
    internal static string? ChooseEncoding(string acceptEncoding)
    {
        if (acceptEncoding.Length == 0)
        {
            return null;
        }

        string? best = null;
        var bestQ = 0.0;
        foreach (var part in acceptEncoding.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split(';', StringSplitOptions.TrimEntries);
            var name = pieces[0].ToLowerInvariant();
            var q = 1.0;
            foreach (var p in pieces.Skip(1))
            {
                if (p.StartsWith("q=", StringComparison.OrdinalIgnoreCase) &&
                    double.TryParse(p.AsSpan(2), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                {
                    q = parsed;
                }
            }

            if (name is "gzip" or "deflate" && q > 0 && (q > bestQ || (q == bestQ && name == "gzip")))
            {
                best = name;
                bestQ = q;
            }
        }

        return best;
    }
}
