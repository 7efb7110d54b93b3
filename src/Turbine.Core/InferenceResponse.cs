using Turbine.Core.Tensors;

namespace Turbine.Core;

/// <summary>
/// The engine's answer. Output tensors may point into backend-owned memory; disposing the response releases
/// them and the hold it keeps on the model version, so a version is unloaded only after every response
/// that reads its memory is written out.
/// </summary>
public sealed class InferenceResponse : IDisposable
{
    private IDisposable? _lease;

    public InferenceResponse(string modelName, long modelVersion, string id, List<InferenceTensor> outputs, IDisposable? lease)
    {
        ModelName = modelName;
        ModelVersion = modelVersion;
        Id = id;
        Outputs = outputs;
        _lease = lease;
    }

    public string ModelName { get; }

    public long ModelVersion { get; }

    public string Id { get; }

    public Dictionary<string, InferParameter>? Parameters { get; set; }

    public List<InferenceTensor> Outputs { get; }

    public void Dispose()
    {
        foreach (var output in Outputs)
        {
            output.Dispose();
        }

        Interlocked.Exchange(ref _lease, null)?.Dispose();
    }
}
