using Turbine.Backend;
using Turbine.Core;
using Turbine.Core.Tensors;

namespace Turbine.Backends.DotNet;

/// <summary>Business-logic scripting: a model's calls to other models go to the engine in process (no copy of the inputs).</summary>
internal sealed class EngineModelClient(InferenceEngine engine) : IModelClient
{
    public async Task<InferResult> InferAsync(string modelName, IReadOnlyList<Tensor> inputs, IReadOnlyList<string>? outputs = null,
        long? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var request = new InferenceRequest(modelName, version);
        foreach (var input in inputs)
        {
            if (!TensorDataTypes.TryParseWireName(input.DataType, out var type))
            {
                throw new ModelCallException($"model '{modelName}': input '{input.Name}' has an unknown datatype '{input.DataType}'") { Status = nameof(StatusCode.InvalidArgument) };
            }

            request.Inputs.Add(new InferenceTensor(input.Name, type, input.Shape, input.Data));
        }

        foreach (var output in outputs ?? [])
        {
            request.Outputs.Add(new RequestedOutput(output));
        }

        var result = await engine.InferAsync(request, cancellationToken).ConfigureAwait(false);
        if (!result.IsOk)
        {
            throw new ModelCallException($"model '{modelName}': {result.Error.Message}") { Status = result.Error.Code.ToString() };
        }

        var response = result.Value;
        return new InferResult(
            [.. response.Outputs.Select(o => new Tensor(o.Name, o.DataType.ToWireName(), o.Shape, o.Data))],
            response);
    }
}
