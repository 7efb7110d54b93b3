using System.IO.Compression;
using System.Text.Json;

namespace Turbine.Client.Tests.Infrastructure;

/// <summary>A request exactly as the loopback server received it.</summary>
public sealed record CapturedRequest(string Method, string RawTarget, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;

    /// <summary>The body with any Content-Encoding undone.</summary>
    public byte[] DecodedBody()
    {
        Stream? inflater = Header("Content-Encoding") switch
        {
            null => null,
            "gzip" => new GZipStream(new MemoryStream(Body), CompressionMode.Decompress),
            "deflate" => new ZLibStream(new MemoryStream(Body), CompressionMode.Decompress),
            var other => throw new InvalidOperationException($"unexpected Content-Encoding {other}"),
        };
        if (inflater is null)
        {
            return Body;
        }

        using (inflater)
        {
            var output = new MemoryStream();
            inflater.CopyTo(output);
            return output.ToArray();
        }
    }

    /// <summary>Length of the JSON header: Inference-Header-Content-Length, or the whole body.</summary>
    public int JsonLength => Header("Inference-Header-Content-Length") is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : DecodedBody().Length;

    public JsonDocument Json() => JsonDocument.Parse(DecodedBody().AsMemory(0, JsonLength));

    public byte[] BinaryPart() => DecodedBody()[JsonLength..];
}
