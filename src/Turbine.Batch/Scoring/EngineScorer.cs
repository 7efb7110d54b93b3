using Turbine.Core;
using Turbine.Core.Tensors;

namespace Turbine.Batch.Scoring;

/// <summary>
/// In-process scoring: requests go straight to <see cref="InferenceEngine.InferAsync"/>, so the model's own dynamic
/// batcher and instance group run them; no HTTP, no serialization.
/// </summary>
/// <param name="engine">The started engine with the model loaded (the caller owns it).</param>
/// <param name="model">Model name.</param>
/// <param name="version">Model version, or null for the engine's choice.</param>
public sealed class EngineScorer(InferenceEngine engine, string model, long? version = null) : IBatchScorer
{
    public Task<ModelSignature> GetSignatureAsync(CancellationToken cancellationToken)
    {
        var config = engine.GetModelConfig(model, version);
        if (!config.IsOk)
        {
            throw new BatchScoringException($"model '{model}': {config.Error!.Message}");
        }

        var c = config.Value!;
        var instances = Math.Max(1, c.InstanceGroups.Sum(g => g.Count));
        return Task.FromResult(new ModelSignature(model, c.MaxBatchSize,
            c.Inputs.Where(i => !i.Optional).Select(i => new TensorSpec(i.Name, i.DataType, [.. i.Dims])).ToList(),
            c.Outputs.Select(o => new TensorSpec(o.Name, o.DataType, [.. o.Dims])).ToList(), instances));
    }

    public async Task<IReadOnlyList<BatchTensor>> InferAsync(IReadOnlyList<BatchTensor> inputs, IReadOnlyList<string> outputs, int classification, CancellationToken cancellationToken)
    {
        using var request = new InferenceRequest(model, version);
        foreach (var input in inputs)
        {
            request.Inputs.Add(new InferenceTensor(input.Name, input.DataType, input.Shape, input.Data));
        }

        foreach (var output in outputs)
        {
            request.Outputs.Add(new RequestedOutput(output, classification > 0
                ? new Dictionary<string, InferParameter> { ["classification"] = InferParameter.FromInt64(classification) }
                : null));
        }

        var result = await engine.InferAsync(request, cancellationToken).ConfigureAwait(false);
        if (!result.IsOk)
        {
            throw new BatchScoringException($"model '{model}': {result.Error!.Code}: {result.Error.Message}");
        }

        using var response = result.Value!;
        // The response's buffers are pooled: copy out what the writer keeps before they go back.
        return response.Outputs.Select(o => new BatchTensor(o.Name, o.DataType, o.Shape, o.Data.ToArray())).ToList();
    }
}
