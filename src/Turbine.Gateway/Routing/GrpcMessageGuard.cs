namespace Turbine.Gateway.Routing;

/// <summary>
/// The request body of a per-model gRPC call as the forwarder reads it: every message is followed as it passes
/// (<see cref="GrpcMessageScanner"/>) and checked before its last byte is handed on, so the server never receives a
/// whole message the gateway refused. The first message must name the model and version it was classified by
/// (a later duplicate field must not re-route it); every later message goes through the <see cref="AddCheck"/>
/// checks (authorisation and rate limits, added by the edge middleware). On a refusal the body ends at the last
/// message boundary before the refused message; <see cref="Refusal"/> says why, and the proxy answers with it
/// (a gRPC status in the trailers when the response has started).
/// </summary>
internal sealed class GrpcMessageGuard : Stream
{
    /// <summary>Longest model name or version accepted in a request message.</summary>
    public const int MaxNameBytes = 4096;

#pragma warning disable CA2213 // not owned: the request body this guard reads through belongs to the server
    private readonly Stream _inner;
#pragma warning restore CA2213
    private readonly GrpcMessageScanner _scanner;
    private readonly string? _model;
    private readonly string? _version;
    private readonly bool _streaming;
    private List<Func<string?, StreamRefusal?>>? _checks;
    private volatile StreamRefusal? _refusal;

    /// <param name="inner">The request body (its classified start replayed first).</param>
    /// <param name="modelField">Field number of the model name.</param>
    /// <param name="versionField">Field number of the version (0 = none).</param>
    /// <param name="model">The model the call was classified and routed by.</param>
    /// <param name="version">The version it was classified by.</param>
    /// <param name="streaming">
    /// A client-streaming method: later messages go on, each through the <see cref="AddCheck"/> checks. Otherwise (a
    /// unary method, one request message by definition) a second message is refused outright, so no per-message
    /// checks need to be made for the call.
    /// </param>
    public GrpcMessageGuard(Stream inner, int modelField, int versionField, string? model, string? version, bool streaming = true)
    {
        _inner = inner;
        _streaming = streaming;
        _scanner = new GrpcMessageScanner(modelField, versionField, MaxNameBytes);
        _model = model;
        _version = version;
    }

    /// <summary>Why the stream was cut; null while every message passed.</summary>
    public StreamRefusal? Refusal => _refusal;

    /// <summary>Messages that passed the checks (the first included).</summary>
    public int MessagesPassed { get; private set; }

    /// <summary>A client-streaming call: its later messages are checked by <see cref="AddCheck"/>'s checks (a unary call has none).</summary>
    public bool Streaming => _streaming;

    /// <summary>Adds a check run on every message after the first (which the edge checked before the call began).</summary>
    public void AddCheck(Func<string?, StreamRefusal?> check) => (_checks ??= []).Add(check);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_refusal is not null)
        {
            return 0;
        }

        var n = _inner.Read(buffer);
        return Inspect(buffer[..n]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_refusal is not null)
        {
            return 0;
        }

        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Inspect(buffer.Span[..n]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Scans the bytes just read; returns how many of them may go on (all, or up to the refused message).</summary>
    private int Inspect(ReadOnlySpan<byte> data)
    {
        var offset = 0;
        var frameStart = _scanner.InFrame ? -1 : 0; // where the current message began in this chunk; -1 = in an earlier one
        while (offset < data.Length)
        {
            var scan = _scanner.Feed(data[offset..], out var used);
            offset += used;
            if (scan == ScanEvent.None)
            {
                break;
            }

            var refusal = scan == ScanEvent.Error
                ? new StreamRefusal(400, _scanner.Error!)
                : Check(_scanner.Model, _scanner.Version);
            if (refusal is not null)
            {
                _refusal = refusal;
                return Math.Max(frameStart, 0);
            }

            MessagesPassed++;
            frameStart = offset;
        }

        return data.Length;
    }

    private StreamRefusal? Check(string? model, string? version)
    {
        if (_scanner.Messages == 1)
        {
            return model == _model && version == _version
                ? null
                : new StreamRefusal(400, $"the request message names model '{model}' version '{version}' but was routed by its first '{_model}' version '{_version}': name the model and version once");
        }

        if (!_streaming)
        {
            return new StreamRefusal(400, "a unary call carries one request message; this one has more");
        }

        foreach (var check in _checks ?? [])
        {
            if (check(model) is { } refusal)
            {
                return refusal;
            }
        }

        return null;
    }
}

/// <summary>A message of a gRPC call refused by the edge: the HTTP status it maps to (403, 429, 400) and the reason.</summary>
internal sealed record StreamRefusal(int Status, string Message);
