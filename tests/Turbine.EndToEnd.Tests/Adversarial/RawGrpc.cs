using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Turbine.EndToEnd.Tests.Adversarial;

/// <summary>
/// gRPC calls made by hand over HTTP/2 cleartext, so a test can send exactly the bytes an attacker would: a lying
/// length prefix, a compressed flag without an encoding, a message protobuf cannot parse.
/// </summary>
internal sealed class RawGrpc(Uri address) : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
    {
        BaseAddress = address,
        Timeout = TimeSpan.FromSeconds(60),
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>One length-prefixed message: flag byte, big-endian length, the bytes.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> message, bool compressed = false, uint? declaredLength = null)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), declaredLength ?? (uint)message.Length);
        message.CopyTo(frame.AsSpan(5));
        return frame;
    }

    public static byte[] Frame(IMessage message) => Frame(message.ToByteArray());

    /// <summary>Calls <paramref name="method"/> (e.g. <c>ModelInfer</c>) with <paramref name="body"/> and returns the gRPC status and message.</summary>
    public async Task<(int Status, string Message)> CallAsync(string method, byte[] body, IEnumerable<(string, string)>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "inference.GRPCInferenceService/" + method)
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (-(int)response.StatusCode, "");
        }

        var status = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status");
        var message = Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message") ?? "";
        return (status is null ? -1 : int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), Uri.UnescapeDataString(message));
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => _client.Dispose();
}
