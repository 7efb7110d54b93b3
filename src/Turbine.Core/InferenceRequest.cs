using Turbine.Core.Tensors;

namespace Turbine.Core;

/// <summary>
/// An inference request as the engine sees it, independent of the wire format. The front end that built it
/// owns the memory its inputs point into and passes that ownership here (<see cref="BodyOwner"/>); disposing
/// the request releases the inputs and the body.
/// </summary>
public sealed class InferenceRequest : IDisposable
{
    public InferenceRequest(string modelName, long? modelVersion = null)
    {
        ModelName = modelName;
        ModelVersion = modelVersion;
    }

    public string ModelName { get; }

    /// <summary>The version asked for, or null for the version policy's choice (the newest ready).</summary>
    public long? ModelVersion { get; }

    /// <summary>Request id echoed in the response; empty when the client sent none.</summary>
    public string Id { get; set; } = "";

    /// <summary>Request parameters (<c>priority</c>, <c>timeout</c>, <c>sequence_id</c>, …) or null.</summary>
    public Dictionary<string, InferParameter>? Parameters { get; set; }

    public List<InferenceTensor> Inputs { get; } = [];

    /// <summary>Outputs the client asked for; empty means every output of the model.</summary>
    public List<RequestedOutput> Outputs { get; } = [];

    /// <summary>Memory the inputs point into (a pooled request body), released with the request.</summary>
    public IDisposable? BodyOwner { get; set; }

    /// <summary>The <c>priority</c> parameter: 0 is the model's default level, 1 the highest.</summary>
    public long Priority => Parameters is not null && Parameters.TryGetValue("priority", out var p) && p.TryGetInt64(out var v) ? v : 0;

    /// <summary>The <c>timeout</c> parameter in microseconds, 0 when absent.</summary>
    public long TimeoutMicroseconds => Parameters is not null && Parameters.TryGetValue("timeout", out var p) && p.TryGetInt64(out var v) ? v : 0;

    public void Dispose()
    {
        foreach (var input in Inputs)
        {
            input.Dispose();
        }

        BodyOwner?.Dispose();
        BodyOwner = null;
    }
}
