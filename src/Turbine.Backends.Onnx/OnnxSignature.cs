using Microsoft.ML.OnnxRuntime;
using Turbine.Core;
using Turbine.Core.Tensors;

namespace Turbine.Backends.Onnx;

/// <summary>A model input or output as the ONNX file declares it; -1 for symbolic or unknown dimensions.</summary>
internal sealed record OnnxTensorInfo(string Name, TensorDataType DataType, string OnnxType, long[]? Dims);

/// <summary>Reads a model's input and output signature with ONNX Runtime (no optimisation, one thread).</summary>
internal sealed record OnnxSignature(IReadOnlyList<OnnxTensorInfo> Inputs, IReadOnlyList<OnnxTensorInfo> Outputs)
{
    public static OnnxSignature Read(string modelFilePath)
    {
        try
        {
            using var options = new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
            };
            using var session = new InferenceSession(modelFilePath, options);
            return FromSession(session);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InferenceException(StatusCode.InvalidArgument, $"ONNX Runtime cannot read '{modelFilePath}': {e.Message}", e);
        }
    }

    public static OnnxSignature FromSession(InferenceSession session) =>
        new(Convert(session.InputMetadata), Convert(session.OutputMetadata));

    public bool AllDynamicFirstDimension() =>
        Inputs.Concat(Outputs).All(t => t.Dims is { Length: > 0 } d && d[0] == -1);

    private static List<OnnxTensorInfo> Convert(IReadOnlyDictionary<string, NodeMetadata> metadata) =>
        metadata.Select(kv =>
        {
            var m = kv.Value;
            if (!m.IsTensor)
            {
                return new OnnxTensorInfo(kv.Key, TensorDataType.Invalid, m.OnnxValueType.ToString(), null);
            }

            var dims = m.Dimensions.Select(d => d < 0 ? -1L : d).ToArray();
            return new OnnxTensorInfo(kv.Key, OnnxTypes.ToDataType(m.ElementDataType), m.ElementDataType.ToString(), dims);
        }).ToList();
}
