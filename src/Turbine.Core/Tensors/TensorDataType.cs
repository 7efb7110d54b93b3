namespace Turbine.Core.Tensors;

/// <summary>
/// Tensor element types of the Open Inference Protocol. The numeric values are those of Triton's
/// <c>DataType</c> enum in <c>model_config.proto</c> (TYPE_BOOL = 1 … TYPE_BF16 = 14), so configs and wire
/// names convert without tables of magic numbers.
/// </summary>
public enum TensorDataType
{
    Invalid = 0,
    Bool = 1,
    UInt8 = 2,
    UInt16 = 3,
    UInt32 = 4,
    UInt64 = 5,
    Int8 = 6,
    Int16 = 7,
    Int32 = 8,
    Int64 = 9,
    FP16 = 10,
    FP32 = 11,
    FP64 = 12,
    /// <summary>Variable-length byte strings; <c>TYPE_STRING</c> in configs, <c>BYTES</c> on the wire.</summary>
    Bytes = 13,
    BF16 = 14,
}
