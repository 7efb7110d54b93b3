using System.Text;

namespace Turbine.Batch.Tables;

/// <summary>Reads UTF-8 lines, refusing one longer than a bound before buffering it (a hostile file without newlines).</summary>
internal sealed class BoundedLineReader(Stream stream, int maxLineChars) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: false);
    private readonly StringBuilder _line = new();

    /// <summary>The next line without its terminator, or null at the end.</summary>
    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        _line.Clear();
        var buffer = new char[1];
        var any = false;
        while (true)
        {
            var c = _reader.Peek();
            if (c < 0)
            {
                // Peek is -1 both at the end and when the buffer is empty: read to tell.
                var read = await _reader.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return any ? _line.ToString() : null;
                }

                c = buffer[0];
            }
            else
            {
                _reader.Read();
            }

            any = true;
            if (c == '\n')
            {
                if (_line.Length > 0 && _line[^1] == '\r')
                {
                    _line.Length--;
                }

                return _line.ToString();
            }

            if (_line.Length >= maxLineChars)
            {
                throw new InvalidDataException($"a line is longer than {maxLineChars} characters (--max-row-bytes)");
            }

            _line.Append((char)c);
        }
    }

    public void Dispose() => _reader.Dispose();
}
