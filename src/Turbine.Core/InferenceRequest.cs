using System.Diagnostics;
using Turbine.Core.Tensors;

namespace Turbine.Core;

/// <summary>
/// An inference request as the engine sees it, independent of the wire format. The front end that built it
/// owns the memory its inputs point into and passes that ownership here (<see cref="BodyOwner"/>); disposing
/// the request releases the inputs and the body.
/// </summary>
public sealed class InferenceRequest : IDisposable
{
    /// <summary>The <see cref="Protocol"/> of a request handed to the engine in process (no front end).</summary>
    public const string InProcessProtocol = "inprocess";

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

    /// <summary>
    /// The REST binary tensor data extension's <c>binary_data_output</c> flag, read by the REST front end into this
    /// field rather than into <see cref="Parameters"/> (it is a transport flag the model never sees); null when the
    /// client did not send it as a bool. A non-bool value stays in <see cref="Parameters"/>, where the validator refuses it.
    /// </summary>
    public bool? BinaryDataOutput { get; set; }

    public List<InferenceTensor> Inputs { get; } = [];

    /// <summary>Outputs the client asked for; empty means every output of the model.</summary>
    public List<RequestedOutput> Outputs { get; } = [];

    /// <summary>
    /// Which front end received the request (<c>http</c>, <c>grpc</c>; <see cref="InProcessProtocol"/> by default): the
    /// <c>protocol</c> of its duration observation and of its <c>turbine.infer</c> span.
    /// </summary>
    public string Protocol { get; set; } = InProcessProtocol;

    /// <summary>The caller's trace context (W3C <c>traceparent</c>), parent of the request's span; default = a new trace.</summary>
    public ActivityContext TraceParent { get; set; }

    /// <summary>
    /// When the front end received the request (<see cref="Stopwatch.GetTimestamp"/>), so its duration and span include
    /// reading and parsing it; 0 (the default) = when the engine receives it.
    /// </summary>
    public long ReceivedTimestamp { get; set; }

    /// <summary>
    /// The request's <c>turbine.infer</c> span, started by the engine when it receives the request (null when tracing is
    /// off or the sampler dropped it). A front end echoes its id (<c>traceparent</c>) in the response.
    /// </summary>
    public Activity? Activity { get; internal set; }

    /// <summary>
    /// True for the server's own requests (an explanation's perturbed rows): not written to the payload log, so they
    /// never reach the monitoring tap that reads it or the windows a drift test compares.
    /// </summary>
    public bool ExcludeFromPayloadLog { get; set; }

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
