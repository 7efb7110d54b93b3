namespace Turbine.Control.Specs;

/// <summary>A local folder or file (a Triton repository, one Triton model folder or an ONNX file).</summary>
/// <param name="Original">The URI as written.</param>
/// <param name="Path">The absolute, percent-decoded path, with no <c>.</c> or <c>..</c> segments.</param>
public sealed record FileStorageUri(string Original, string Path) : StorageUri(Original);
