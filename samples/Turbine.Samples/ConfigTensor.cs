namespace Turbine.Samples;

/// <summary>One input or output block of a Triton <c>config.pbtxt</c>.</summary>
/// <param name="Name">Tensor name, identical to the ONNX graph input/output name.</param>
/// <param name="DataType">Triton data type, e.g. <c>TYPE_INT32</c>.</param>
/// <param name="Dims">Dims without the batch dimension; -1 is variable.</param>
/// <param name="LabelFileName">Optional classification label file next to config.pbtxt.</param>
internal sealed record ConfigTensor(string Name, string DataType, int[] Dims, string? LabelFileName = null);
