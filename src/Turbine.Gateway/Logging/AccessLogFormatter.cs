using System.Buffers;
using System.Text.Json;

namespace Turbine.Gateway.Logging;

/// <summary>Formats an <see cref="AccessLogRecord"/> as one line of JSON (UTF-8, ending in a newline).</summary>
internal static class AccessLogFormatter
{
    public static byte[] Format(AccessLogRecord r)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, EdgeErrors.Relaxed))
        {
            w.WriteStartObject();
            w.WriteString("timestamp", r.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("method", r.Method);
            w.WriteString("path", r.Path);
            WriteOptional(w, "query", r.Query);
            w.WriteString("protocol", r.Protocol);
            WriteOptional(w, "model", r.Model);
            WriteOptional(w, "version", r.Version);
            w.WriteString("operation", r.Operation);
            w.WriteNumber("status", r.Status);
            if (r.GrpcStatus is { } grpc)
            {
                w.WriteNumber("grpc_status", grpc);
            }

            w.WriteNumber("duration_ms", Math.Round(r.DurationMs, 3));
            w.WriteNumber("bytes_in", r.BytesIn);
            w.WriteNumber("bytes_out", r.BytesOut);
            WriteOptional(w, "caller", r.Caller);
            WriteOptional(w, "pool", r.Pool);
            WriteOptional(w, "target_version", r.TargetVersion);
            WriteOptional(w, "destination", r.Destination);
            w.WriteNumber("retries", r.Retries);
            WriteOptional(w, "trace_id", r.TraceId);
            WriteOptional(w, "span_id", r.SpanId);
            WriteOptional(w, "user_agent", r.UserAgent);
            WriteOptional(w, "remote_addr", r.RemoteAddress);
            w.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}
