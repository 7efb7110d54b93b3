using System.Diagnostics;
using Turbine.Core.Config;
using Turbine.Core.Lifecycle;
using Turbine.Core.Payloads;

namespace Turbine.Core;

public sealed partial class InferenceEngine
{
    /// <summary>The model's payload settings when this request is to be logged (mode on and sampled in), else null.</summary>
    private PayloadLogSettings? SamplePayload(ModelConfig config)
    {
        var settings = _payloadLog!.SettingsFor(config);
        if (settings.Mode == PayloadLogMode.Off || settings.Sampling <= 0)
        {
            return null;
        }

        return settings.Sampling >= 1 || Random.Shared.NextDouble() < settings.Sampling ? settings : null;
    }

    /// <summary>
    /// Copies what the record needs (the tensors' first elements) while the request and response buffers are still
    /// alive and hands it to the payload log without waiting; JSON is built by the background writer.
    /// </summary>
    private void LogPayload(PayloadLogSettings settings, LoadedVersion version, InferenceRequest request, long start,
        InferenceResponse? response, InferenceError? error)
    {
        var latencyUs = (long)((Stopwatch.GetTimestamp() - start) * (1_000_000.0 / Stopwatch.Frequency));
        var end = Options.TimeProvider.GetUtcNow();
        List<PayloadTensor>? inputs = null;
        if (settings.LogsInputs)
        {
            inputs = new List<PayloadTensor>(request.Inputs.Count);
            foreach (var input in request.Inputs)
            {
                inputs.Add(PayloadTensor.Capture(input, settings));
            }
        }

        List<PayloadTensor>? outputs = null;
        if (settings.LogsOutputs && response is not null)
        {
            outputs = new List<PayloadTensor>(response.Outputs.Count);
            foreach (var output in response.Outputs)
            {
                outputs.Add(PayloadTensor.Capture(output, settings));
            }
        }

        _payloadLog!.TryWrite(new PayloadRecord
        {
            RequestId = request.Id.Length > 0 ? request.Id : Guid.NewGuid().ToString("N"),
            TraceId = Activity.Current is { } activity ? activity.TraceId.ToHexString() : null,
            Model = version.Config.Name,
            Version = version.Version,
            Start = end - TimeSpan.FromMicroseconds(latencyUs),
            End = end,
            LatencyUs = latencyUs,
            Error = error,
            Inputs = inputs,
            Outputs = outputs,
        });
    }
}
