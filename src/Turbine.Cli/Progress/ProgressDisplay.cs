using System.Globalization;

namespace Turbine.Cli.Progress;

/// <summary>
/// Progress of long work (an upload, a benchmark) on stderr, never stdout (stdout may carry JSON or CSV).
/// On a terminal: one bar redrawn in place at most every <see cref="RedrawInterval"/>. Otherwise (a log file, CI):
/// a plain line every <see cref="PlainInterval"/> or at each further 10 %, whichever comes first. Thread-safe.
/// </summary>
internal sealed class ProgressDisplay
{
    public static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    private const int BarWidth = 24;

    private readonly TextWriter _writer;
    private readonly bool _terminal;
    private readonly TimeProvider _time;
    private readonly string _label;
    private readonly Lock _lock = new();
    private long _lastWrite;
    private bool _written;
    private int _lastDecile = -1;
    private int _barLength;

    public ProgressDisplay(TextWriter writer, bool terminal, TimeProvider time, string label)
    {
        _writer = writer;
        _terminal = terminal;
        _time = time;
        _label = label;
    }

    /// <summary>On stderr, as a bar when stderr is a terminal.</summary>
    public static ProgressDisplay ForStandardError(string label) => new(Console.Error, !Console.IsErrorRedirected, TimeProvider.System, label);

    /// <summary>Reports <paramref name="fraction"/> (0..1) done; <paramref name="detail"/> follows the percentage.</summary>
    public void Update(double fraction, string detail)
    {
        fraction = Math.Clamp(double.IsFinite(fraction) ? fraction : 0, 0, 1);
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var since = _written ? _time.GetElapsedTime(_lastWrite, now) : TimeSpan.MaxValue;
            var percent = (int)Math.Floor(fraction * 100);
            if (_terminal)
            {
                if (since < RedrawInterval && fraction < 1)
                {
                    return;
                }

                var filled = (int)Math.Round(fraction * BarWidth);
                var text = $"{_label} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {percent,3}% {detail}";
                _writer.Write('\r' + text.PadRight(_barLength));
                _barLength = text.Length;
            }
            else
            {
                var decile = percent / 10;
                if (since < PlainInterval && decile <= _lastDecile)
                {
                    return;
                }

                _lastDecile = Math.Max(_lastDecile, decile);
                _writer.WriteLine($"{_label}: {percent}% {detail}");
            }

            _writer.Flush();
            _lastWrite = now;
            _written = true;
        }
    }

    /// <summary>A line of its own (a new phase, a warning): on a terminal the bar is cleared first and drawn again by the next update.</summary>
    public void Line(string text)
    {
        lock (_lock)
        {
            ClearBar();
            _writer.WriteLine(text);
            _writer.Flush();
        }
    }

    /// <summary>Ends the display: the bar's line is finished so the next output starts on a line of its own.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            if (_terminal && _barLength > 0)
            {
                _writer.WriteLine();
                _writer.Flush();
                _barLength = 0;
            }
        }
    }

    /// <summary>"1.5 GiB", "12.0 MiB", "512 B".</summary>
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        while (bytes >= 1024 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }

        return unit == 0
            ? bytes.ToString("0", CultureInfo.InvariantCulture) + " B"
            : bytes.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private void ClearBar()
    {
        if (_terminal && _barLength > 0)
        {
            _writer.Write('\r' + new string(' ', _barLength) + '\r');
            _barLength = 0;
        }
    }
}
