using System.Text.Json;

namespace Turbine.Client;

/// <summary>A parsed inference response.</summary>
public sealed class InferResult
{
    internal InferResult(string modelName, string modelVersion, string? id, JsonElement? parameters, IReadOnlyList<InferOutput> outputs)
    {
        ModelName = modelName;
        ModelVersion = modelVersion;
        Id = id;
        Parameters = parameters;
        Outputs = outputs;
    }

    /// <summary>The model that answered.</summary>
    public string ModelName { get; }

    /// <summary>The version that answered.</summary>
    public string ModelVersion { get; }

    /// <summary>The request id the server echoed; null when the request had none.</summary>
    public string? Id { get; }

    /// <summary>The response "parameters" object, when the server sent one.</summary>
    public JsonElement? Parameters { get; }

    /// <summary>Outputs in the order the server sent them.</summary>
    public IReadOnlyList<InferOutput> Outputs { get; }

    /// <exception cref="KeyNotFoundException">No output has that name; the message lists the outputs there are.</exception>
    public InferOutput GetOutput(string name)
    {
        foreach (var output in Outputs)
        {
            if (string.Equals(output.Name, name, StringComparison.Ordinal))
            {
                return output;
            }
        }

        var names = Outputs.Count == 0 ? "none" : string.Join(", ", Outputs.Select(o => $"'{o.Name}'"));
        throw new KeyNotFoundException($"response of model '{ModelName}' has no output '{name}'; outputs: {names}");
    }
}
