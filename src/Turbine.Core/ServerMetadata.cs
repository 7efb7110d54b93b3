namespace Turbine.Core;

/// <summary>The protocol's server metadata.</summary>
public sealed record ServerMetadata(string Name, string Version, IReadOnlyList<string> Extensions)
{
    /// <summary>The protocol extensions this build implements; nothing is listed that is not served.</summary>
    public static readonly IReadOnlyList<string> ImplementedExtensions =
    [
        "classification",
        "model_repository",
        "model_configuration",
        "binary_tensor_data",
        "parameters",
        "statistics",
        "sequence",
        "logging",
        "trace",
        "system_shared_memory",
    ];
}
