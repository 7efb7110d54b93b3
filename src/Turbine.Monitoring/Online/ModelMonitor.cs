using System.Collections.Frozen;

namespace Turbine.Monitoring.Online;

/// <summary>
/// The monitoring state of one model: tumbling windows per version, the predictions kept for the feedback join, and
/// the counts of labels that joined nothing. Not on the request path: the tap's background reader adds observations;
/// feedback and reports come from HTTP handlers. One lock guards it.
/// </summary>
public sealed class ModelMonitor
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, VersionState> _versions = [];
    private readonly Dictionary<string, Served> _served = new(StringComparer.Ordinal);
    private readonly Queue<string> _servedOrder = new();
    private readonly TimeProvider _time;
    private long _nextWindow;
    private long _unknownFeedback;
    private long _observedRows;
    private readonly HashSet<string> _unknownFeatures = new(StringComparer.Ordinal);

    public ModelMonitor(string model, MonitorSettings settings, TimeProvider? time = null)
    {
        if (settings.Validate() is { } problem)
        {
            throw new ArgumentException($"monitoring of '{model}': {problem}", nameof(settings));
        }

        Model = model;
        Settings = settings;
        _time = time ?? TimeProvider.System;
        FeatureNames = settings.Profile.Features.Select(f => f.Name).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The profile's feature names (the tap's decoder and the unknown-feature check look names up here).</summary>
    internal FrozenSet<string> FeatureNames { get; }

    public string Model { get; }

    public MonitorSettings Settings { get; }

    /// <summary>Labels whose request id matched no kept prediction.</summary>
    public long UnknownFeedback => Interlocked.Read(ref _unknownFeedback);

    public long ObservedRows => Interlocked.Read(ref _observedRows);

    /// <summary>Input names the profile does not know (each reported once, never per request).</summary>
    public IReadOnlyCollection<string> UnknownFeatures
    {
        get
        {
            lock (_gate)
            {
                return _unknownFeatures.ToArray();
            }
        }
    }

    /// <summary>Adds an observed request; returns the names of features seen for the first time that the profile lacks.</summary>
    public IReadOnlyList<string> Observe(Observation o)
    {
        List<string>? fresh = null;
        lock (_gate)
        {
            foreach (var name in o.Numbers.Keys)
            {
                NoteUnknown(name, ref fresh);
            }

            foreach (var name in o.Texts.Keys)
            {
                NoteUnknown(name, ref fresh);
            }

            var state = State(o.Version);
            CloseIfDue(state, o.Time);
            state.Open ??= NewWindow(o.Version, o.Time);
            var first = state.Open;
            if (o.Problems.Count > 0)
            {
                first.Quality("*").Add(QualityIssues.Shape, o.Problems.Count);
            }

            var row = 0;
            while (row < o.Rows)
            {
                state.Open ??= NewWindow(o.Version, o.Time);
                var take = Math.Min(o.Rows - row, Settings.WindowRows - state.Open.Rows);
                state.Open.Add(o, row, take, Settings.Profile, Settings.PredictionOutput);
                row += take;
                if (state.Open.Rows >= Settings.WindowRows)
                {
                    Close(state, o.Time);
                }
            }

            Interlocked.Add(ref _observedRows, o.Rows);
            // Only requests with a client-given id can be joined to labels: the others are not kept.
            if (Settings.LabelCapacity > 0 && o.Predictions.Count > 0 && o.RequestId.Length > 0 && !_served.ContainsKey(o.RequestId))
            {
                Remember(o.RequestId, new Served(first, o.Predictions as double[][] ?? [.. o.Predictions]));
            }
        }

        return fresh ?? (IReadOnlyList<string>)[];
    }

    private void NoteUnknown(string name, ref List<string>? fresh)
    {
        if (!FeatureNames.Contains(name) && _unknownFeatures.Count < 1024 && _unknownFeatures.Add(name))
        {
            (fresh ??= []).Add(name);
        }
    }

    /// <summary>Joins labels (one per row of the request) to the request's predictions; late labels update their original window.</summary>
    public FeedbackResult Feedback(string requestId, IReadOnlyList<double> labels)
    {
        lock (_gate)
        {
            if (!_served.TryGetValue(requestId, out var served))
            {
                Interlocked.Increment(ref _unknownFeedback);
                return FeedbackResult.UnknownId;
            }

            if (served.Labelled)
            {
                return FeedbackResult.Duplicate;
            }

            if (labels.Count != served.Predictions.Length)
            {
                return FeedbackResult.RowMismatch;
            }

            for (var i = 0; i < labels.Count; i++)
            {
                served.Window.Labelled.Add((served.Predictions[i], labels[i]));
            }

            served.Labelled = true;
            return FeedbackResult.Joined;
        }
    }

    /// <summary>Closes windows whose time is up (called periodically and before reports).</summary>
    public void Tick()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            foreach (var state in _versions.Values)
            {
                CloseIfDue(state, now);
            }
        }
    }

    /// <summary>Every kept window of every version, oldest first (closed ones, then the open ones).</summary>
    public IReadOnlyList<WindowReport> Windows(long? version = null)
    {
        Tick();
        lock (_gate)
        {
            return _versions.Where(v => version is null || v.Key == version)
                .SelectMany(v => v.Value.Closed.Append(v.Value.Open).OfType<MonitorWindow>())
                .OrderBy(w => w.Id)
                .Select(w => w.Report(Model, Settings.Task))
                .ToArray();
        }
    }

    /// <summary>The latest closed window (of <paramref name="version"/>, or of any version), or null.</summary>
    public WindowReport? Latest(long? version = null)
    {
        Tick();
        lock (_gate)
        {
            // Only the chosen window is reported: the drift tests of the others do not run for this.
            return _versions.Where(v => version is null || v.Key == version).SelectMany(v => v.Value.Closed)
                .OrderBy(w => w.End).ThenBy(w => w.Id).LastOrDefault()?.Report(Model, Settings.Task);
        }
    }

    /// <summary>The latest closed window of each version (what <c>/metrics</c> exports), oldest version first.</summary>
    public IReadOnlyList<WindowReport> LatestPerVersion()
    {
        Tick();
        lock (_gate)
        {
            return _versions.Values.Where(v => v.Closed.Count > 0).Select(v => v.Closed.Last()).OrderBy(w => w.Id)
                .Select(w => w.Report(Model, Settings.Task)).ToArray();
        }
    }

    /// <summary>Closes the open windows now (tests, shutdown, an explicit report).</summary>
    public void CloseOpenWindows()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            foreach (var state in _versions.Values)
            {
                if (state.Open is { Rows: > 0 })
                {
                    Close(state, now);
                }
            }
        }
    }

    private VersionState State(long version)
    {
        if (!_versions.TryGetValue(version, out var state))
        {
            _versions[version] = state = new VersionState();
        }

        return state;
    }

    private MonitorWindow NewWindow(long version, DateTimeOffset start) => new(++_nextWindow, version, start, Settings.WindowRows);

    private void CloseIfDue(VersionState state, DateTimeOffset now)
    {
        if (state.Open is { } open && now - open.Start >= Settings.WindowDuration)
        {
            if (open.Rows == 0)
            {
                state.Open = null;
                return;
            }

            Close(state, open.Start + Settings.WindowDuration);
        }
    }

    private void Close(VersionState state, DateTimeOffset end)
    {
        var window = state.Open!;
        window.Close(end, Settings.Profile, Settings);
        state.Open = null;
        if (state.Closed.Count > 0)
        {
            state.Closed.Last().DiscardUntested(); // superseded before anyone read its drift
        }

        state.Closed.Enqueue(window);
        while (state.Closed.Count > Settings.MaxWindows)
        {
            state.Closed.Dequeue();
        }
    }

    private void Remember(string requestId, Served served)
    {
        if (requestId.Length == 0 || _served.ContainsKey(requestId))
        {
            return;
        }

        _served[requestId] = served;
        _servedOrder.Enqueue(requestId);
        while (_servedOrder.Count > Settings.LabelCapacity)
        {
            _served.Remove(_servedOrder.Dequeue());
        }
    }

    private sealed class VersionState
    {
        public MonitorWindow? Open { get; set; }

        public Queue<MonitorWindow> Closed { get; } = new();
    }

    private sealed class Served(MonitorWindow window, double[][] predictions)
    {
        public MonitorWindow Window { get; } = window;

        public double[][] Predictions { get; } = predictions;

        public bool Labelled { get; set; }
    }
}
