using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Turbine.Samples.Tests;

/// <summary>Runs a generated model with a real ONNX Runtime <see cref="InferenceSession"/> through OrtValue APIs.</summary>
public sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    public OrtRunner(string modelPath) => _session = new InferenceSession(modelPath);

    public InferenceSession Session => _session;

    public static OrtValue Tensor<T>(T[] data, params long[] shape)
        where T : unmanaged => OrtValue.CreateTensorValueFromMemory(data, shape);

    public static OrtValue Strings(string[] data, params long[] shape) =>
        OrtValue.CreateFromStringTensor(new DenseTensor<string>(data, shape.Select(d => (int)d).ToArray()));

    /// <summary>Runs with the given inputs (disposed afterwards) and returns the outputs in order.</summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(IReadOnlyList<string> outputNames, params (string Name, OrtValue Value)[] inputs)
    {
        try
        {
            return _session.Run(_runOptions, inputs.Select(i => i.Name).ToArray(), inputs.Select(i => i.Value).ToArray(), outputNames);
        }
        finally
        {
            foreach (var (_, value) in inputs)
            {
                value.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
