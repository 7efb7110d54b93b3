using Turbine.Core;

namespace Turbine.Monitoring.Online;

/// <summary>
/// The tap on the engine's request path (<see cref="IInferenceTap"/>): <see cref="Sample"/> decides before anything
/// is copied (a dictionary lookup, and one random draw only when the sampling is below 100 %); <see cref="Observe"/>
/// copies the inputs' and the prediction output's raw bytes into pooled buffers and hands them to the bounded
/// channel without waiting. Decoding, statistics and drift tests run on the background reader.
/// </summary>
public sealed partial class MonitoringService : IInferenceTap
{
    /// <summary>Bytes one observed request may copy at most (inputs and prediction output together); larger tensors are counted as <c>shape</c> issues, not copied.</summary>
    public const long MaxCaptureBytes = 1L << 20;

    /// <summary>
    /// Requests of monitored models that arrived over HTTP or gRPC, sampled at the model's rate. In-process requests
    /// (explain's perturbed rows, graph steps, in-process batch jobs) are not what clients sent and are not observed.
    /// </summary>
    public bool Sample(string model, InferenceRequest request)
    {
        if (request.Protocol == InferenceRequest.InProcessProtocol || !_models.TryGetValue(model, out var monitor))
        {
            return false;
        }

        var rate = monitor.Settings.Sampling;
        if (rate >= 1 || (rate > 0 && Random.Shared.NextDouble() < rate))
        {
            return true;
        }

        Interlocked.Increment(ref _unsampled);
        return false;
    }

    /// <summary>Copies the request's inputs and its prediction output (bounded by <see cref="MaxCaptureBytes"/>) and queues them; never waits or throws.</summary>
    public void Observe(string model, long version, InferenceRequest request, InferenceResponse response)
    {
        TapCapture? capture = null;
        try
        {
            if (!_models.TryGetValue(model, out var monitor))
            {
                return;
            }

            var budget = MaxCaptureBytes;
            var inputs = new TapTensor[request.Inputs.Count];
            string? problem = null;
            for (var i = 0; i < inputs.Length; i++)
            {
                inputs[i] = TapTensor.Copy(request.Inputs[i], ref budget);
                if (!inputs[i].Copied)
                {
                    problem ??= $"input '{inputs[i].Name}' is larger than the {MaxCaptureBytes} bytes monitoring copies per request";
                }
            }

            TapTensor? output = null;
            var wanted = monitor.Settings.PredictionOutput;
            foreach (var o in response.Outputs)
            {
                if (wanted is null || o.Name == wanted)
                {
                    output = TapTensor.Copy(o, ref budget);
                    break;
                }
            }

            capture = new TapCapture
            {
                RequestId = request.Id,
                Model = model,
                Version = version,
                Time = _time.GetUtcNow(),
                Inputs = inputs,
                Output = output,
                Problem = problem,
            };
            if (_channel.Writer.TryWrite(new Pending(null, capture)))
            {
                Interlocked.Increment(ref _accepted);
                capture = null;
            }
            else
            {
                Interlocked.Increment(ref _dropped);
            }
        }
        catch (Exception e)
        {
            LogObserveFailed(_logger, model, e);
        }
        finally
        {
            capture?.Release();
        }
    }

    /// <summary>An item of the channel: an observation given by a caller, or a capture of the tap.</summary>
    private readonly record struct Pending(Observation? Observation, TapCapture? Capture);
}
