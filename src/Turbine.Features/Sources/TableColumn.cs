using Turbine.Features.Definitions;

namespace Turbine.Features.Sources;

/// <summary>A named column of values of one <see cref="FeatureType"/> (null allowed), for writing a Parquet table.</summary>
public sealed record TableColumn(string Name, FeatureType Type, object?[] Values)
{
    /// <summary>A column whose type is read off its values: timestamps, integers, floats, booleans, else strings.</summary>
    public static TableColumn Infer(string name, object?[] values)
    {
        var first = values.FirstOrDefault(v => v is not null);
        var type = first switch
        {
            DateTime or DateTimeOffset => FeatureType.UnixTimestamp,
            long or short => FeatureType.Int64,
            int => FeatureType.Int32,
            double or decimal => FeatureType.Float64,
            float => FeatureType.Float32,
            bool => FeatureType.Bool,
            byte[] => FeatureType.Bytes,
            _ => FeatureType.String,
        };
        return new TableColumn(name, type, values);
    }
}
