namespace Turbine.Gateway.Routing;

/// <summary>
/// Follows a gRPC request body byte by byte as it passes (5-byte frame headers, then the top-level protobuf fields
/// of each message) and reports every completed message with the last values of its model and version fields
/// (protobuf's last-one-wins, as the server will read them). It buffers nothing but a model name being read, so a
/// message of any declared size costs no memory here.
/// </summary>
internal sealed class GrpcMessageScanner(int modelField, int versionField, int maxNameBytes)
{
    private byte _flags;       // the frame header's first byte (compression flag)
    private uint _frameLength; // its next four, big-endian, accumulated as they arrive (no header array per scanner)
    private State _state = State.Header;
    private int _headerGot;
    private long _frameRemaining;
    private ulong _varint;
    private int _shift;
    private int _field;
    private long _skip;
    private byte[]? _capture; // rented while a name field is read (its first _captureLength bytes)
    private int _captureLength;
    private int _captureGot;

    private enum State
    {
        Header,
        Tag,
        VarintValue,
        Skip,
        LengthPrefix,
        Capture,
    }

    /// <summary>Messages completed so far.</summary>
    public int Messages { get; private set; }

    /// <summary>Last model value seen in the current message (or the message just completed).</summary>
    public string? Model { get; private set; }

    /// <summary>Last version value seen in the current message (or the message just completed).</summary>
    public string? Version { get; private set; }

    /// <summary>
    /// The current message has shown a field numbered above both the model and the version field: an encoder that
    /// writes fields in order (every protobuf library does) has written its model and version already.
    /// </summary>
    public bool PastNameFields { get; private set; }

    /// <summary>Inside a frame (header or message bytes started but not finished).</summary>
    public bool InFrame => _state != State.Header || _headerGot > 0;

    /// <summary>Why the body is not a well-formed sequence of uncompressed messages; null while it is.</summary>
    public string? Error { get; private set; }

    /// <summary>
    /// Consumes bytes until they run out, a message completes (<see cref="ScanEvent.Message"/>: read
    /// <see cref="Model"/>/<see cref="Version"/> before feeding more) or the body is malformed (<see cref="ScanEvent.Error"/>).
    /// </summary>
    public ScanEvent Feed(ReadOnlySpan<byte> data, out int consumed)
    {
        consumed = 0;
        if (Error is not null)
        {
            return ScanEvent.Error;
        }

        while (consumed < data.Length)
        {
            var b = data[consumed++];
            if (_state == State.Header)
            {
                if (_headerGot++ == 0)
                {
                    _flags = b;
                    _frameLength = 0;
                }
                else
                {
                    _frameLength = (_frameLength << 8) | b;
                }

                if (_headerGot < 5)
                {
                    continue;
                }

                _headerGot = 0;
                if (_flags != 0)
                {
                    return Fail("compressed request messages cannot be checked by the gateway: send messages uncompressed");
                }

                _frameRemaining = _frameLength;
                Model = null;
                Version = null;
                PastNameFields = false;
                _state = State.Tag;
                _varint = 0;
                _shift = 0;
                if (_frameRemaining == 0)
                {
                    return Complete();
                }

                continue;
            }

            _frameRemaining--;
            switch (_state)
            {
                case State.Tag:
                    if (!AddVarintByte(b, out var tagDone))
                    {
                        return Fail("malformed request message: a field tag is too long");
                    }

                    if (!tagDone)
                    {
                        break;
                    }

                    if (StartField() is { } problem)
                    {
                        return Fail(problem);
                    }

                    break;
                case State.VarintValue:
                    if (!AddVarintByte(b, out var valueDone))
                    {
                        return Fail("malformed request message: a varint is too long");
                    }

                    if (valueDone)
                    {
                        _state = State.Tag;
                    }

                    break;
                case State.Skip:
                    // Skip the rest of this field in one step (the byte just taken counts as one).
                    var more = (int)Math.Min(_skip - 1, data.Length - consumed);
                    consumed += more;
                    _frameRemaining -= more;
                    _skip -= 1 + more;
                    if (_skip == 0)
                    {
                        _state = State.Tag;
                    }

                    break;
                case State.LengthPrefix:
                    if (!AddVarintByte(b, out var lengthDone))
                    {
                        return Fail("malformed request message: a length is too long");
                    }

                    if (lengthDone && StartValue() is { } lengthProblem)
                    {
                        return Fail(lengthProblem);
                    }

                    break;
                case State.Capture:
                    _capture![_captureGot++] = b;
                    if (_captureGot == _captureLength)
                    {
                        SetValue(NameCache.GetUtf8(_capture.AsSpan(0, _captureLength)));
                        _state = State.Tag;
                    }

                    break;
            }

            if (_frameRemaining == 0)
            {
                if (_state != State.Tag || _shift != 0)
                {
                    return Fail("malformed request message: a field runs past the end of its message");
                }

                return Complete();
            }

            if (_frameRemaining < 0)
            {
                return Fail("malformed request message: a field runs past the end of its message");
            }
        }

        return ScanEvent.None;
    }

    private bool AddVarintByte(byte b, out bool done)
    {
        if (_shift >= 64)
        {
            done = false;
            return false;
        }

        _varint |= (ulong)(b & 0x7F) << _shift;
        _shift += 7;
        done = (b & 0x80) == 0;
        return true;
    }

    private string? StartField()
    {
        var tag = _varint;
        _varint = 0;
        _shift = 0;
        var field = tag >> 3;
        if (field == 0 || field > 536_870_911)
        {
            return "malformed request message: field number 0";
        }

        _field = (int)field;
        if (_field > modelField && _field > versionField)
        {
            PastNameFields = true;
        }

        switch ((int)(tag & 7))
        {
            case 0:
                _state = State.VarintValue;
                return null;
            case 1:
                return BeginSkip(8);
            case 5:
                return BeginSkip(4);
            case 2:
                _state = State.LengthPrefix;
                return null;
            default:
                return $"malformed request message: wire type {tag & 7} (groups are not accepted) in field {_field}";
        }
    }

    private string? BeginSkip(long bytes)
    {
        if (bytes > _frameRemaining)
        {
            return "malformed request message: a field runs past the end of its message";
        }

        if (bytes == 0)
        {
            _state = State.Tag;
            return null;
        }

        _skip = bytes;
        _state = State.Skip;
        return null;
    }

    private string? StartValue()
    {
        var length = _varint;
        _varint = 0;
        _shift = 0;
        if (length > (ulong)_frameRemaining)
        {
            return "malformed request message: a field runs past the end of its message";
        }

        if (_field != modelField && _field != versionField)
        {
            return BeginSkip((long)length);
        }

        if (length > (ulong)maxNameBytes)
        {
            return $"the model {(_field == modelField ? "name" : "version")} in the request message is {length} bytes; at most {maxNameBytes} are accepted";
        }

        if (length == 0)
        {
            SetValue("");
            _state = State.Tag;
            return null;
        }

        _capture = System.Buffers.ArrayPool<byte>.Shared.Rent((int)length); // length ≤ maxNameBytes, checked above
        _captureLength = (int)length;
        _captureGot = 0;
        _state = State.Capture;
        return null;
    }

    private void SetValue(string value)
    {
        if (_field == modelField)
        {
            Model = value;
        }
        else
        {
            Version = value;
        }

        if (_capture is { } rented)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            _capture = null;
        }
    }

    private ScanEvent Complete()
    {
        Messages++;
        _state = State.Header;
        return ScanEvent.Message;
    }

    private ScanEvent Fail(string message)
    {
        Error = message;
        return ScanEvent.Error;
    }
}

/// <summary>What <see cref="GrpcMessageScanner.Feed"/> stopped at.</summary>
internal enum ScanEvent
{
    None,
    Message,
    Error,
}
