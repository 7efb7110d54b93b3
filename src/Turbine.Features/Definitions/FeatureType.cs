namespace Turbine.Features.Definitions;

/// <summary>Value types of entity join keys and features; the names in YAML are the lower-case forms (Feast's, too).</summary>
public enum FeatureType
{
    Int32,
    Int64,
    Float32,
    Float64,
    String,
    Bool,
    UnixTimestamp,
    Bytes,
}

/// <summary>Parsing and naming of <see cref="FeatureType"/>.</summary>
public static class FeatureTypes
{
    private static readonly Dictionary<string, FeatureType> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["int32"] = FeatureType.Int32,
        ["int64"] = FeatureType.Int64,
        ["float32"] = FeatureType.Float32,
        ["float"] = FeatureType.Float32,
        ["float64"] = FeatureType.Float64,
        ["double"] = FeatureType.Float64,
        ["string"] = FeatureType.String,
        ["bool"] = FeatureType.Bool,
        ["unix_timestamp"] = FeatureType.UnixTimestamp,
        ["bytes"] = FeatureType.Bytes,
    };

    public static bool TryParse(string? text, out FeatureType type) => Names.TryGetValue(text ?? string.Empty, out type);

    public static string Name(FeatureType type) => type switch
    {
        FeatureType.Int32 => "int32",
        FeatureType.Int64 => "int64",
        FeatureType.Float32 => "float32",
        FeatureType.Float64 => "float64",
        FeatureType.String => "string",
        FeatureType.Bool => "bool",
        FeatureType.UnixTimestamp => "unix_timestamp",
        _ => "bytes",
    };

    public static string Accepted => "int32, int64, float32, float64, string, bool, unix_timestamp, bytes";

    public static bool IsNumeric(FeatureType type) => type is FeatureType.Int32 or FeatureType.Int64 or FeatureType.Float32 or FeatureType.Float64 or FeatureType.Bool or FeatureType.UnixTimestamp;
}
