using System.Net;
using System.Net.Http.Headers;

namespace Turbine.Client.Internal;

/// <summary>An uncompressed inference body: the pooled JSON header followed by the raw input sections, written without copying them together.</summary>
internal sealed class InferRequestContent : HttpContent
{
    private readonly PooledBufferWriter _json;
    private readonly List<ReadOnlyMemory<byte>> _sections;

    public InferRequestContent(PooledBufferWriter json, List<ReadOnlyMemory<byte>> sections)
    {
        _json = json;
        _sections = sections;
        Headers.ContentType = new MediaTypeHeaderValue(sections.Count > 0 ? "application/octet-stream" : "application/json");
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(_json.WrittenMemory, cancellationToken).ConfigureAwait(false);
        foreach (var section in _sections)
        {
            await stream.WriteAsync(section, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _json.WrittenCount;
        foreach (var section in _sections)
        {
            length += section.Length;
        }

        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _json.Dispose();
        }

        base.Dispose(disposing);
    }
}
