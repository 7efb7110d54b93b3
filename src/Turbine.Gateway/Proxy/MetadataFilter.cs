using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Turbine.Gateway.Proxy;

/// <summary>
/// Server-wide metadata answers cut down to the models a caller may see: REST <c>GET /v2/models/stats</c>
/// (<c>{"model_stats":[{"name":…}]}</c>), <c>POST /v2/repository/index</c> (<c>[{"name":…}]</c>), gRPC
/// <c>ModelStatistics</c> without a name and <c>RepositoryIndex</c> (field 1: repeated entries whose field 1 is the name).
/// </summary>
internal static class MetadataFilter
{
    /// <summary>Whether the request is one of the answers listing every model.</summary>
    public static bool Applies(HttpContext context, string? grpcMethod) => grpcMethod is not null
        ? grpcMethod is "ModelStatistics" or "RepositoryIndex"
        : (context.Request.Path.Value ?? "").TrimEnd('/') is "/v2/models/stats" or "/v2/repository/index";

    /// <summary>The answer with the entries of models <paramref name="visible"/> refuses removed; null when it cannot be read.</summary>
    public static byte[]? Filter(byte[] body, bool grpc, Func<string, bool> visible) =>
        grpc ? FilterGrpc(body, visible) : FilterJson(body, visible);

    private static byte[]? FilterJson(byte[] body, Func<string, bool> visible)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }

        var list = root switch
        {
            JsonArray array => array,
            JsonObject o when o["model_stats"] is JsonArray stats => stats,
            _ => null,
        };
        if (list is null)
        {
            return null;
        }

        for (var i = list.Count - 1; i >= 0; i--)
        {
            var name = list[i] is JsonObject entry && entry["name"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (name is null || !visible(name))
            {
                list.RemoveAt(i);
            }
        }

        return JsonSerializer.SerializeToUtf8Bytes(root);
    }

    private static byte[]? FilterGrpc(byte[] body, Func<string, bool> visible)
    {
        if (body.Length == 0)
        {
            return body;
        }

        if (body.Length < 5 || body[0] != 0 || BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1)) != body.Length - 5)
        {
            return null;
        }

        try
        {
            using var input = new CodedInputStream(body, 5, body.Length - 5);
            using var output = new MemoryStream();
            using var coded = new CodedOutputStream(output, leaveOpen: true);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag != 10)
                {
                    input.SkipLastField();
                    continue;
                }

                var entry = input.ReadBytes();
                if (NameOf(entry) is { } name && visible(name))
                {
                    coded.WriteTag(tag);
                    coded.WriteBytes(entry);
                }
            }

            coded.Flush();
            var message = output.ToArray();
            var frame = new byte[5 + message.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
            message.CopyTo(frame, 5);
            return frame;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static string? NameOf(ByteString entry)
    {
        using var input = new CodedInputStream(entry.ToByteArray());
        string? name = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag == 10)
            {
                name = input.ReadString();
            }
            else
            {
                input.SkipLastField();
            }
        }

        return name;
    }
}
