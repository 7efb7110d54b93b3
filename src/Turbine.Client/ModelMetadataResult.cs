namespace Turbine.Client;

/// <summary>Answer of <c>GET v2/models/{m}[/versions/{v}]</c>.</summary>
public sealed record ModelMetadataResult(
    string Name,
    IReadOnlyList<string> Versions,
    string Platform,
    IReadOnlyList<TensorMetadataResult> Inputs,
    IReadOnlyList<TensorMetadataResult> Outputs);
