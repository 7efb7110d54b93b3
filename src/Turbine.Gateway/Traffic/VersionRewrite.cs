using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace Turbine.Gateway.Traffic;

/// <summary>
/// Points an inference request at the model version a split target or A/B variant chose: the REST path
/// <c>/v2/models/{m}/infer</c> becomes <c>/v2/models/{m}/versions/{v}/infer</c>; a unary gRPC ModelInferRequest gets
/// field 2 (<c>model_version</c>) appended, which protobuf's last-one-wins rule for scalar fields makes the value the
/// server reads, and the frame's length prefix grows by the bytes added.
/// </summary>
internal static partial class VersionRewrite
{
    /// <summary>The versioned path, or null when <paramref name="path"/> is not an unversioned infer path.</summary>
    public static string? RestPath(string path, string version)
    {
        var match = InferPath().Match(path);
        return match.Success ? $"/v2/models/{match.Groups[1].Value}/versions/{version}/infer" : null;
    }

    /// <summary>
    /// The gRPC body with <c>model_version = version</c> appended to its one message, or null when the body is not
    /// exactly one uncompressed frame.
    /// </summary>
    public static byte[]? GrpcFrame(ReadOnlySpan<byte> body, string version)
    {
        if (body.Length < 5 || body[0] != 0 || BinaryPrimitives.ReadUInt32BigEndian(body[1..]) != body.Length - 5)
        {
            return null;
        }

        var value = Encoding.UTF8.GetBytes(version);
        Span<byte> varint = stackalloc byte[5];
        var varintLength = 0;
        for (var n = (uint)value.Length; ; n >>= 7)
        {
            if (n < 0x80)
            {
                varint[varintLength++] = (byte)n;
                break;
            }

            varint[varintLength++] = (byte)(n | 0x80);
        }

        var result = new byte[body.Length + 1 + varintLength + value.Length];
        body.CopyTo(result);
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(1), (uint)(result.Length - 5));
        var position = body.Length;
        result[position++] = 0x12; // field 2, length-delimited
        varint[..varintLength].CopyTo(result.AsSpan(position));
        value.CopyTo(result.AsSpan(position + varintLength));
        return result;
    }

    [GeneratedRegex("^/v2/models/([^/]+)/infer$", RegexOptions.CultureInvariant)]
    private static partial Regex InferPath();
}
