using System.Globalization;

namespace Turbine.Cli.Bench;

/// <summary>
/// A sweep <c>START:END:STEP</c> (perf_analyzer's syntax): <c>4</c> is one level, <c>1:8</c> steps by 1,
/// <c>1:8:2</c> gives 1, 3, 5, 7. Every level is positive and the sweep is finite.
/// </summary>
internal sealed record LoadRange(double Start, double End, double Step)
{
    /// <summary>Most levels one sweep may hold, so that a typo cannot start a run with no end.</summary>
    public const int MaxLevels = 1000;

    /// <summary>The levels, START first, END included when the step lands on it.</summary>
    public IReadOnlyList<double> Levels()
    {
        var levels = new List<double>();
        for (var i = 0; ; i++)
        {
            var value = Start + (i * Step);
            if (value > End + (Step * 1e-9))
            {
                break;
            }

            levels.Add(Math.Round(value, 9));
        }

        return levels;
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="integers"/> requires whole numbers (concurrency).</summary>
    /// <exception cref="ArgumentException">The range is malformed; the message names <paramref name="option"/> and what was expected.</exception>
    public static LoadRange Parse(string text, string option, bool integers)
    {
        var what = integers ? "positive integers" : "positive numbers";
        var expected = $"{option} '{text}': expected START[:END[:STEP]] with {what}, START <= END and STEP > 0, e.g. {(integers ? "1:8:1" : "100:500:100")}";
        var parts = text.Split(':');
        if (parts.Length is < 1 or > 3)
        {
            throw new ArgumentException(expected);
        }

        var values = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])
                || !double.IsFinite(values[i]) || values[i] <= 0 || (integers && values[i] != Math.Floor(values[i])))
            {
                throw new ArgumentException(expected);
            }
        }

        var start = values[0];
        var end = parts.Length > 1 ? values[1] : start;
        var step = parts.Length > 2 ? values[2] : (integers ? 1 : Math.Max(end - start, 1));
        if (end < start)
        {
            throw new ArgumentException(expected);
        }

        var range = new LoadRange(start, end, step);
        if (Math.Floor((end - start) / step) + 1 > MaxLevels)
        {
            throw new ArgumentException($"{option} '{text}': {Math.Floor((end - start) / step) + 1} levels; at most {MaxLevels} per run");
        }

        return range;
    }
}
