using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Turbine.Client.Internal;

/// <summary>Reading, decompressing and compressing HTTP bodies; turning error responses into exceptions.</summary>
internal static class HttpBody
{
    public const string Gzip = "gzip";
    public const string Deflate = "deflate";

    /// <summary>Reads the whole body, decompressing a gzip or deflate Content-Encoding.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var content = response.Content;
        var encoding = content.Headers.ContentEncoding.LastOrDefault();
        byte[] bytes;
        var length = content.Headers.ContentLength;
        await using (var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false))
        {
            if (length is { } known && known <= Array.MaxLength)
            {
                bytes = new byte[known];
                await stream.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
            }
            else
            {
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy, ct).ConfigureAwait(false);
                bytes = copy.ToArray();
            }
        }

        if (encoding is null || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return bytes;
        }

        if (encoding.Equals(Gzip, StringComparison.OrdinalIgnoreCase))
        {
            return await DecompressAsync(new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress), ct).ConfigureAwait(false);
        }

        if (encoding.Equals(Deflate, StringComparison.OrdinalIgnoreCase))
        {
            // HTTP "deflate" is zlib (RFC 1950); some servers send raw deflate (RFC 1951). Accept both.
            Stream inflater = IsZlibHeader(bytes)
                ? new ZLibStream(new MemoryStream(bytes), CompressionMode.Decompress)
                : new DeflateStream(new MemoryStream(bytes), CompressionMode.Decompress);
            return await DecompressAsync(inflater, ct).ConfigureAwait(false);
        }

        throw new TurbineClientException((int)response.StatusCode, $"response has unsupported Content-Encoding '{encoding}'");
    }

    /// <summary>Compresses <paramref name="parts"/> into one body with the given encoding ("gzip" or "deflate").</summary>
    public static ByteArrayContent Compress(string encoding, IEnumerable<ReadOnlyMemory<byte>> parts)
    {
        var output = new MemoryStream();
        using (Stream compressor = encoding == Gzip
            ? new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)
            : new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            foreach (var part in parts)
            {
                compressor.Write(part.Span);
            }
        }

        var content = new ByteArrayContent(output.GetBuffer(), 0, (int)output.Length);
        content.Headers.ContentEncoding.Add(encoding);
        return content;
    }

    /// <summary>Validates a compression option: null, "gzip" or "deflate".</summary>
    public static string? CheckEncoding(string? encoding, string option)
    {
        if (encoding is null)
        {
            return null;
        }

        if (encoding.Equals(Gzip, StringComparison.OrdinalIgnoreCase))
        {
            return Gzip;
        }

        if (encoding.Equals(Deflate, StringComparison.OrdinalIgnoreCase))
        {
            return Deflate;
        }

        throw new ArgumentException($"{option} must be \"gzip\", \"deflate\" or null, not \"{encoding}\"", option);
    }

    /// <summary>Throws <see cref="TurbineClientException"/> when the status is not 2xx.</summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        string message;
        try
        {
            var body = await ReadAsync(response, ct).ConfigureAwait(false);
            message = ErrorMessage(body.Span) ?? (body.IsEmpty ? response.ReasonPhrase ?? string.Empty : Encoding.UTF8.GetString(body.Span));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or TurbineClientException)
        {
            message = response.ReasonPhrase ?? string.Empty;
        }

        throw new TurbineClientException(status, message);
    }

    /// <summary>The "error" string of a JSON error body, or null when the body is not one.</summary>
    public static string? ErrorMessage(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isError = reader.ValueTextEquals("error"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if (isError && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    public static void AddAcceptEncoding(HttpRequestMessage request, string? encoding)
    {
        if (encoding is not null)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        }
    }

    private static bool IsZlibHeader(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 2 && (bytes[0] & 0x0F) == 8 && ((bytes[0] << 8) | bytes[1]) % 31 == 0;

    private static async Task<ReadOnlyMemory<byte>> DecompressAsync(Stream inflater, CancellationToken ct)
    {
        await using (inflater.ConfigureAwait(false))
        {
            var output = new MemoryStream();
            await inflater.CopyToAsync(output, ct).ConfigureAwait(false);
            return output.GetBuffer().AsMemory(0, (int)output.Length);
        }
    }
}
