namespace Turbine.Cli.Bench;

/// <summary>Collects completed requests into the current window; <see cref="Take"/> closes the window and starts the next.</summary>
internal sealed class WindowRecorder
{
    private readonly object _gate = new();
    private List<double> _latencies = [];
    private int _errors;
    private double _sendUs;
    private double _receiveUs;
    private int _timed;
    private string? _firstError;

    /// <summary>The first error message seen in the whole run, for the user.</summary>
    public string? FirstError
    {
        get
        {
            lock (_gate)
            {
                return _firstError;
            }
        }
    }

    public void Success(double latencyUs, double? sendUs, double? receiveUs)
    {
        lock (_gate)
        {
            _latencies.Add(latencyUs);
            if (sendUs is { } s && receiveUs is { } r)
            {
                _sendUs += s;
                _receiveUs += r;
                _timed++;
            }
        }
    }

    public void Error(string message)
    {
        lock (_gate)
        {
            _errors++;
            _firstError ??= message;
        }
    }

    /// <summary>Ends the current window: returns what it collected and starts an empty one.</summary>
    public WindowResult Take(TimeSpan duration, int batchSize, ServerStatsSnapshot? stats = null)
    {
        lock (_gate)
        {
            var result = new WindowResult(duration, _latencies.Count, _errors, batchSize, _latencies, _sendUs, _receiveUs, _timed, stats);
            _latencies = new List<double>(Math.Max(16, _latencies.Count));
            _errors = 0;
            _sendUs = 0;
            _receiveUs = 0;
            _timed = 0;
            return result;
        }
    }
}
