using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Turbine.Client.Tests.Infrastructure;

/// <summary>A response the loopback server sends back verbatim.</summary>
public sealed record CannedResponse(int Status, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    public static CannedResponse Json(string json, int status = 200) =>
        new(status, Encoding.UTF8.GetBytes(json), new Dictionary<string, string> { ["Content-Type"] = "application/json" });

    public static CannedResponse Text(string text, int status) =>
        new(status, Encoding.UTF8.GetBytes(text), new Dictionary<string, string> { ["Content-Type"] = "text/plain" });

    /// <summary>JSON header followed by binary sections, with Inference-Header-Content-Length.</summary>
    public static CannedResponse Binary(string json, params byte[][] sections)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var body = header.Concat(sections.SelectMany(s => s)).ToArray();
        return new(200, body, new Dictionary<string, string>
        {
            ["Content-Type"] = "application/octet-stream",
            ["Inference-Header-Content-Length"] = header.Length.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>The same response with its body compressed: "gzip", "deflate" (zlib) or "raw-deflate" (sent as deflate).</summary>
    public CannedResponse Compressed(string encoding)
    {
        var output = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "raw-deflate" => new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => throw new ArgumentException(encoding, nameof(encoding)),
        })
        {
            compressor.Write(Body);
        }

        var headers = new Dictionary<string, string>(Headers) { ["Content-Encoding"] = encoding == "gzip" ? "gzip" : "deflate" };
        return this with { Body = output.ToArray(), Headers = headers };
    }
}
