namespace Turbine.Client;

/// <summary>Answer of <c>GET v2</c>.</summary>
public sealed record ServerMetadataResult(string Name, string Version, IReadOnlyList<string> Extensions);
