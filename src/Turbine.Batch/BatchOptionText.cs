namespace Turbine.Batch;

/// <summary>The text forms of <c>--map</c> and <c>--output-column</c>, shared by <c>turbine batch run</c> and the control plane's job API.</summary>
public static class BatchOptionText
{
    /// <summary>Parses <c>INPUT=COL[,COL...]</c> specs into <see cref="BatchJobOptions.InputMap"/>.</summary>
    /// <param name="specs">The specs.</param>
    /// <exception cref="ArgumentException">A spec is malformed or names an input twice.</exception>
    public static Dictionary<string, IReadOnlyList<string>> ParseMap(IEnumerable<string> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            var columns = eq > 0 ? spec[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [];
            if (eq <= 0 || columns.Length == 0)
            {
                throw new ArgumentException($"--map '{spec}' must be INPUT=COLUMN[,COLUMN...]");
            }

            if (!map.TryAdd(spec[..eq], columns))
            {
                throw new ArgumentException($"--map names input '{spec[..eq]}' twice");
            }
        }

        return map;
    }

    /// <summary>Parses <c>OUTPUT[=COLUMN]</c> specs into <see cref="BatchJobOptions.OutputColumns"/>.</summary>
    /// <param name="specs">The specs.</param>
    /// <exception cref="ArgumentException">A spec is malformed.</exception>
    public static List<KeyValuePair<string, string>> ParseOutputColumns(IEnumerable<string> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var list = new List<KeyValuePair<string, string>>();
        foreach (var spec in specs)
        {
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            var (output, column) = eq < 0 ? (spec, spec) : (spec[..eq], spec[(eq + 1)..]);
            if (output.Length == 0 || column.Length == 0)
            {
                throw new ArgumentException($"--output-column '{spec}' must be OUTPUT or OUTPUT=COLUMN");
            }

            list.Add(new(output, column));
        }

        return list;
    }
}
