using System.Net;
using System.Net.Http;
using Turbine.Gateway.Proxy;
using Xunit;

namespace Turbine.Gateway.Tests.Proxy;

/// <summary>
/// The kept body sent whole (round 4): the swap happens only for the very message the body was offered for, on
/// HTTP/1.x, with the content headers and the exact bytes of the kept segment; an offer is used at most once.
/// </summary>
public sealed class KeptBodyHandlerTests
{
    private static readonly byte[] Buffer = [9, 9, 1, 2, 3, 4, 5, 9];

    /// <summary>Records the content the inner handler was given and answers 200.</summary>
    private sealed class Recorder : HttpMessageHandler
    {
        public HttpContent? Content { get; private set; }

        public byte[]? Bytes { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Content = request.Content;
            Bytes = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    private static HttpRequestMessage Request(Version version)
    {
        var streamed = new StreamContent(new MemoryStream([7, 7, 7]));
        streamed.Headers.TryAddWithoutValidation("Content-Type", "application/octet-stream");
        streamed.Headers.TryAddWithoutValidation("Content-Length", "5");
        streamed.Headers.TryAddWithoutValidation("Content-Language", ["de", "en"]);
        return new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:1/v2/models/simple/infer") { Content = streamed, Version = version };
    }

    [Fact]
    public async Task OfferedMessage_IsSentWhole_WithItsContentHeaders()
    {
        var recorder = new Recorder();
        using var invoker = new HttpMessageInvoker(new KeptBodyHandler(recorder));
        using var request = Request(HttpVersion.Version11);

        KeptBodyHandler.Offer(request, new ArraySegment<byte>(Buffer, 2, 5));
        using var response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.IsType<ByteArrayContent>(recorder.Content);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, recorder.Bytes);
        Assert.Equal("application/octet-stream", recorder.Content!.Headers.ContentType?.ToString());
        Assert.Equal(5, recorder.Content.Headers.ContentLength);
        Assert.Equal(["de", "en"], recorder.Content.Headers.ContentLanguage);
    }

    [Fact]
    public async Task AnotherMessage_KeepsItsOwnContent_AndTheOfferIsSpent()
    {
        var recorder = new Recorder();
        using var invoker = new HttpMessageInvoker(new KeptBodyHandler(recorder));
        using var offered = Request(HttpVersion.Version11);
        using var other = Request(HttpVersion.Version11);

        KeptBodyHandler.Offer(offered, new ArraySegment<byte>(Buffer, 2, 5));
        using (await invoker.SendAsync(other, CancellationToken.None))
        {
            Assert.IsType<StreamContent>(recorder.Content);
            Assert.Equal(new byte[] { 7, 7, 7 }, recorder.Bytes);
        }

        // The offer was cleared by the other message: the offered one, sent later, streams as YARP built it.
        using (await invoker.SendAsync(offered, CancellationToken.None))
        {
            Assert.IsType<StreamContent>(recorder.Content);
        }
    }

    [Fact]
    public async Task Http2_IsLeftToYarp()
    {
        var recorder = new Recorder();
        using var invoker = new HttpMessageInvoker(new KeptBodyHandler(recorder));
        using var request = Request(HttpVersion.Version20);

        KeptBodyHandler.Offer(request, new ArraySegment<byte>(Buffer, 2, 5));
        using var response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.IsType<StreamContent>(recorder.Content);
        Assert.False(KeptBodyHandler.TryTake(request, out _));
    }
}
