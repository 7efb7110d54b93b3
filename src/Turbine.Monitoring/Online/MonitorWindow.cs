using Turbine.Monitoring.Data;
using Turbine.Monitoring.Drift;
using Turbine.Monitoring.Profiles;

namespace Turbine.Monitoring.Online;

/// <summary>An open or closed tumbling window; used under <see cref="ModelMonitor"/>'s lock only.</summary>
internal sealed class MonitorWindow
{
    private readonly Dictionary<string, List<double>> _numbers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string?>> _texts = new(StringComparer.Ordinal);
    private readonly List<double> _predictions = [];
    private readonly Dictionary<string, QualityCounters> _quality = new(StringComparer.Ordinal);

    private readonly int _capacity;

    public MonitorWindow(long id, long version, DateTimeOffset start, int rows = 0)
    {
        _capacity = Math.Clamp(rows, 0, 4096);
        Id = id;
        Version = version;
        Start = start;
    }

    public long Id { get; }

    public long Version { get; }

    public DateTimeOffset Start { get; }

    public DateTimeOffset? End { get; private set; }

    public int Rows { get; private set; }

    public List<(double[] Prediction, double Label)> Labelled { get; } = [];

    private DriftReport? _drift;
    private ColumnDrift? _predictionDrift;
    private (ReferenceProfile Profile, MonitorSettings Settings)? _untested;

    /// <summary>The drift tests of a closed window, run on first read (see <see cref="Close"/>).</summary>
    public DriftReport? Drift
    {
        get
        {
            RunDriftTests();
            return _drift;
        }
    }

    public ColumnDrift? PredictionDrift
    {
        get
        {
            RunDriftTests();
            return _predictionDrift;
        }
    }

    public QualityCounters Quality(string feature)
    {
        if (!_quality.TryGetValue(feature, out var counters))
        {
            _quality[feature] = counters = new QualityCounters();
        }

        return counters;
    }

    /// <summary>Adds rows [from, from + count) of the observation.</summary>
    public void Add(Observation o, int from, int count, ReferenceProfile profile, string? predictionOutput)
    {
        var features = profile.Features;
        for (var f = 0; f < features.Count; f++)
        {
            var feature = features[f];
            var quality = Quality(feature.Name);
            if (o.Numbers.TryGetValue(feature.Name, out var numbers))
            {
                AddNumbers(feature, numbers.AsSpan(from, count), quality);
            }
            else if (o.Texts.TryGetValue(feature.Name, out var texts))
            {
                AddTexts(feature, texts.AsSpan(from, count), quality);
            }
            else
            {
                quality.Add(QualityIssues.Missing, count);
                if (feature.Kind == FeatureKind.Numeric)
                {
                    Numbers(feature.Name).AddRange(Enumerable.Repeat(double.NaN, count));
                }
                else
                {
                    Texts(feature.Name).AddRange(Enumerable.Repeat<string?>(null, count));
                }
            }
        }

        for (var r = from; r < from + count && r < o.Predictions.Count; r++)
        {
            if (o.Predictions[r].Length > 0)
            {
                _predictions.Add(o.Predictions[r][0]);
            }
        }

        Rows += count;
    }

    private void AddNumbers(FeatureProfile feature, ReadOnlySpan<double> values, QualityCounters quality)
    {
        if (feature.Kind == FeatureKind.Categorical)
        {
            var texts = Texts(feature.Name);
            foreach (var v in values)
            {
                var key = double.IsFinite(v) ? ProfileBuilder.NumberKey(v) : null;
                texts.Add(key);
                CountCategory(feature, key, quality, nonFinite: !double.IsFinite(v));
            }

            return;
        }

        var list = Numbers(feature.Name);
        foreach (var v in values)
        {
            list.Add(v);
            if (!double.IsFinite(v))
            {
                quality.Add(QualityIssues.NonFinite);
            }
            else if (v < feature.Min || v > feature.Max)
            {
                quality.Add(QualityIssues.OutOfRange);
            }
        }
    }

    private void AddTexts(FeatureProfile feature, ReadOnlySpan<string?> values, QualityCounters quality)
    {
        if (feature.Kind == FeatureKind.Numeric)
        {
            var list = Numbers(feature.Name);
            foreach (var v in values)
            {
                if (v is null)
                {
                    quality.Add(QualityIssues.Missing);
                    list.Add(double.NaN);
                }
                else if (double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x))
                {
                    list.Add(x);
                }
                else
                {
                    quality.Add(QualityIssues.Type);
                    list.Add(double.NaN);
                }
            }

            return;
        }

        var texts = Texts(feature.Name);
        foreach (var v in values)
        {
            texts.Add(v);
            CountCategory(feature, v, quality, nonFinite: false);
        }
    }

    private static void CountCategory(FeatureProfile feature, string? value, QualityCounters quality, bool nonFinite)
    {
        if (nonFinite)
        {
            quality.Add(QualityIssues.NonFinite);
        }
        else if (value is null)
        {
            quality.Add(QualityIssues.Missing);
        }
        else if (feature.OtherCount == 0 && feature.Categories is { } categories && !categories.ContainsKey(value))
        {
            quality.Add(QualityIssues.UnseenCategory);
        }
    }

    /// <summary>
    /// Closes the window. The drift tests run when its drift is first read (a report, a metrics scrape), not here: at
    /// high request rates most windows close unread, and a closed window keeps its raw values only until then (at most
    /// <see cref="MonitorSettings.MaxWindows"/> windows are kept).
    /// </summary>
    public void Close(DateTimeOffset end, ReferenceProfile profile, MonitorSettings settings)
    {
        End = end;
        _untested = (profile, settings);
    }

    /// <summary>
    /// A newer window of the version closed before this one's drift was read: its raw values are freed untested (its
    /// drift stays null; quality and performance are kept), so closed windows do not pile up raw values nobody reads.
    /// </summary>
    public void DiscardUntested()
    {
        if (_untested is null)
        {
            return;
        }

        _untested = null;
        _numbers.Clear();
        _texts.Clear();
        _predictions.Clear();
    }

    /// <summary>Runs the drift tests of a closed window once and frees the raw values.</summary>
    private void RunDriftTests()
    {
        if (_untested is not { } pending)
        {
            return;
        }

        _untested = null;
        var (profile, settings) = pending;
        var columns = new List<FeatureColumn>();
        foreach (var (name, values) in _numbers)
        {
            columns.Add(FeatureColumn.Numeric(name, values.ToArray()));
        }

        foreach (var (name, values) in _texts)
        {
            columns.Add(FeatureColumn.Categorical(name, values.ToArray()));
        }

        _drift = Rows == 0 ? null : DriftDetector.Detect(profile, new FeatureTable(columns), settings.Drift);
        var predictionName = settings.PredictionOutput ?? "prediction";
        if (_predictions.Count > 0 && profile.Find(predictionName) is { } reference)
        {
            _predictionDrift = DriftDetector.DetectColumn(reference, FeatureColumn.Numeric(predictionName, _predictions.ToArray()), settings.Drift);
        }

        _numbers.Clear();
        _texts.Clear();
        _predictions.Clear();
    }

    public WindowReport Report(string model, ModelTask task) => new()
    {
        Id = Id,
        Model = model,
        Version = Version,
        Start = Start,
        End = End,
        Rows = Rows,
        Drift = Drift,
        PredictionDrift = PredictionDrift,
        Quality = _quality.ToDictionary(p => p.Key, p => p.Value.ToDictionary()),
        Performance = PerformanceMetrics.Compute(task, Labelled),
    };

    private List<double> Numbers(string name)
    {
        if (!_numbers.TryGetValue(name, out var list))
        {
            _numbers[name] = list = new List<double>(_capacity); // sized once: no regrowth garbage
        }

        return list;
    }

    private List<string?> Texts(string name)
    {
        if (!_texts.TryGetValue(name, out var list))
        {
            _texts[name] = list = new List<string?>(_capacity);
        }

        return list;
    }
}
