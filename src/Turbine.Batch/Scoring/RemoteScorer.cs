using System.Text.Json;
using Turbine.Client;
using Turbine.Core.Tensors;

namespace Turbine.Batch.Scoring;

/// <summary>
/// Remote scoring through the client SDK (HTTP with the binary tensor extension, or gRPC) against a server or the
/// gateway. The job bounds how many requests are in flight (<c>--concurrency</c>).
/// </summary>
/// <param name="client">The client (the caller owns it).</param>
/// <param name="model">Model name.</param>
/// <param name="version">Model version, or null.</param>
public sealed class RemoteScorer(ITurbineClient client, string model, string? version = null) : IBatchScorer
{
    public async Task<ModelSignature> GetSignatureAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var config = await client.GetModelConfigAsync(model, version, cancellationToken).ConfigureAwait(false);
            var root = config.RootElement.TryGetProperty("config", out var inner) ? inner : config.RootElement;
            var maxBatch = root.TryGetProperty("max_batch_size", out var m) ? m.GetInt32() : 0;
            var instances = root.TryGetProperty("instance_group", out var groups) && groups.ValueKind == JsonValueKind.Array
                ? groups.EnumerateArray().Sum(g => g.TryGetProperty("count", out var n) ? n.GetInt32() : 1)
                : 1;
            return new ModelSignature(model, maxBatch, Tensors(root, "input"), Tensors(root, "output"), Math.Max(1, instances));
        }
        catch (TurbineClientException e)
        {
            throw new BatchScoringException($"model '{model}': {e.ServerMessage ?? e.Message}", e);
        }
        catch (HttpRequestException e)
        {
            throw new BatchScoringException($"model '{model}': {e.Message}", e);
        }
    }

    private static List<TensorSpec> Tensors(JsonElement config, string property)
    {
        var tensors = new List<TensorSpec>();
        if (!config.TryGetProperty(property, out var list))
        {
            return tensors;
        }

        foreach (var t in list.EnumerateArray())
        {
            if (t.TryGetProperty("optional", out var optional) && optional.ValueKind == JsonValueKind.True)
            {
                continue;
            }

            var typeName = t.GetProperty("data_type").GetString() ?? "";
            if (!TensorDataTypes.TryParseConfigName(typeName, out var type))
            {
                throw new BatchScoringException($"model config names an unknown data_type '{typeName}'");
            }

            var dims = t.TryGetProperty("dims", out var d)
                ? d.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? long.Parse(x.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : x.GetInt64()).ToArray()
                : [];
            tensors.Add(new TensorSpec(t.GetProperty("name").GetString()!, type, dims));
        }

        return tensors;
    }

    public async Task<IReadOnlyList<BatchTensor>> InferAsync(IReadOnlyList<BatchTensor> inputs, IReadOnlyList<string> outputs, int classification, CancellationToken cancellationToken)
    {
        var requestInputs = inputs.Select(i => new InferInput(i.Name, i.Shape, i.DataType.ToWireName()) { Binary = true }.SetRaw(i.Data)).ToList();
        var requested = outputs.Select(o => new InferRequestedOutput(o, binary: true, classCount: classification)).ToList();
        try
        {
            var result = await client.InferAsync(model, requestInputs, requested, new InferOptions { ModelVersion = version }, cancellationToken).ConfigureAwait(false);
            return result.Outputs.Select(o => new BatchTensor(o.Name,
                TensorDataTypes.TryParseWireName(o.Datatype, out var type) ? type : throw new BatchScoringException($"output '{o.Name}' has an unknown datatype '{o.Datatype}'"),
                o.Shape, o.Raw)).ToList();
        }
        catch (TurbineClientException e)
        {
            throw new BatchScoringException($"model '{model}': server answered {(e.GrpcStatusCode?.ToString() ?? e.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture))}: {e.ServerMessage}", e);
        }
        catch (HttpRequestException e)
        {
            throw new BatchScoringException($"model '{model}': {e.Message}", e);
        }
    }
}
