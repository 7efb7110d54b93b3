using System.Diagnostics;
using System.Net;

namespace Turbine.Cli.Bench;

/// <summary>
/// Splits an HTTP request's client time: it wraps the request body to stamp when it has been written to the
/// connection (client send), and stamps when the response headers arrive; the rest, up to the parsed result, is
/// client receive. The current request's <see cref="RequestTiming"/> flows in through <see cref="Current"/>.
/// </summary>
internal sealed class HttpTimingHandler : DelegatingHandler
{
    public static readonly AsyncLocal<RequestTiming?> Current = new();

    public HttpTimingHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var timing = Current.Value;
        if (timing is not null && request.Content is { } content)
        {
            request.Content = new TimedContent(content, timing);
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (timing is not null)
        {
            timing.ResponseStarted = Stopwatch.GetTimestamp();
        }

        return response;
    }

    private sealed class TimedContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly RequestTiming _timing;

        public TimedContent(HttpContent inner, RequestTiming timing)
        {
            _inner = inner;
            _timing = timing;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await _inner.CopyToAsync(stream, context).ConfigureAwait(false);
            _timing.SendDone = Stopwatch.GetTimestamp();
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await _inner.CopyToAsync(stream, context, cancellationToken).ConfigureAwait(false);
            _timing.SendDone = Stopwatch.GetTimestamp();
        }

        protected override bool TryComputeLength(out long length)
        {
            var known = _inner.Headers.ContentLength;
            length = known ?? 0;
            return known.HasValue;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
