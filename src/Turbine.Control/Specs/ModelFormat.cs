namespace Turbine.Control.Specs;

/// <summary><c>spec.predictor.model.modelFormat.name</c>: the formats Turbine serves.</summary>
public enum ModelFormat
{
    /// <summary>One ONNX model (<c>onnx</c>).</summary>
    Onnx,

    /// <summary>A Triton model repository or one Triton model folder (<c>triton</c>).</summary>
    Triton,
}
