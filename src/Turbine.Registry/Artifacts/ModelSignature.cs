namespace Turbine.Registry.Artifacts;

/// <summary>
/// A model's input/output signature as read from the artifact itself (ONNX graph inputs that are not
/// initializers, and graph outputs). Datatypes use the Open Inference Protocol names (FP32, INT64, BYTES…);
/// a dynamic dimension is -1.
/// </summary>
public sealed record ModelSignature(IReadOnlyList<TensorSignature> Inputs, IReadOnlyList<TensorSignature> Outputs);

/// <summary>One named tensor of a <see cref="ModelSignature"/>.</summary>
public sealed record TensorSignature(string Name, string Datatype, IReadOnlyList<long> Shape);

/// <summary>What inspecting an artifact found: its format (<c>onnx</c>, or <c>unknown</c>) and, for ONNX, the signature.</summary>
public sealed record ArtifactInspection(string Format, ModelSignature? Signature);
