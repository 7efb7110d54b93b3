using System.Diagnostics;
using Turbine.Core.Tensors;

namespace Turbine.Core;

/// <summary>
/// The engine's answer. Output tensors may point into backend-owned memory; disposing the response releases
/// them and the hold it keeps on the model version, so a version is unloaded only after every response
/// that reads its memory is written out. Releasing it also ends the request's telemetry (its span and duration).
/// </summary>
public sealed class InferenceResponse : IDisposable
{
    private IDisposable? _lease;
    private Lifecycle.LoadedVersion? _version;
    private InferenceEngine? _engine;
    private string _protocol = "";
    private long _receivedTimestamp;
    private Activity? _span;

    public InferenceResponse(string modelName, long modelVersion, string id, List<InferenceTensor> outputs, IDisposable? lease)
    {
        ModelName = modelName;
        ModelVersion = modelVersion;
        Id = id;
        Outputs = outputs;
        _lease = lease;
    }

    /// <summary>
    /// A response holding one reference on <paramref name="version"/> itself (released once, by <see cref="Dispose"/>):
    /// the engine's own responses, without a lease object per request (issue 22, P7 round 3).
    /// </summary>
    /// <param name="version">The version the outputs came from; the reference the caller acquired passes to the response (as <c>LoadedVersion.Lease()</c> does).</param>
    /// <param name="id">The request id.</param>
    /// <param name="outputs">The outputs, owned by the response.</param>
    internal static InferenceResponse Holding(Lifecycle.LoadedVersion version, string id, List<InferenceTensor> outputs) =>
        new(version.Config.Name, version.Version, id, outputs, null) { _version = version };

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
        Interlocked.Exchange(ref _version, null)?.Release();
        Interlocked.Exchange(ref _engine, null)?.CompleteRequest(ModelName, ModelVersion, _protocol, _receivedTimestamp, _span, StatusCode.Ok, null);
    }

    /// <summary>The engine ends the request's telemetry when the response is released (once its writer is done with it).</summary>
    internal void CompleteOnRelease(InferenceEngine engine, string protocol, long receivedTimestamp, Activity? span)
    {
        _protocol = protocol;
        _receivedTimestamp = receivedTimestamp;
        _span = span;
        Volatile.Write(ref _engine, engine);
    }
}
