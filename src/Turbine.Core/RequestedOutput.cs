using Turbine.Core.Tensors;

namespace Turbine.Core;

/// <summary>
/// An output the client asked for, with its parameters (<c>classification</c>) and its REST <c>binary_data</c> flag.
/// Immutable: the REST front end shares one instance without parameters between the requests that ask for the same
/// output the same way, so keep it free of per-request state.
/// </summary>
public sealed class RequestedOutput
{
    public RequestedOutput(string name, Dictionary<string, InferParameter>? parameters = null)
    {
        Name = name;
        Parameters = parameters;
    }

    public string Name { get; }

    public Dictionary<string, InferParameter>? Parameters { get; }

    /// <summary>
    /// The REST binary tensor data extension's per-output <c>binary_data</c> flag, read by the REST front end into
    /// this field rather than into <see cref="Parameters"/>; null when the client did not send it as a bool (a non-bool
    /// value stays in <see cref="Parameters"/>, where the validator refuses it).
    /// </summary>
    public bool? BinaryData { get; init; }

    /// <summary>The classification extension's top-k count; 0 when the output is returned as is.</summary>
    public int ClassificationCount =>
        Parameters is not null && Parameters.TryGetValue("classification", out var p) && p.TryGetInt64(out var k) && k > 0
            ? (int)Math.Min(k, int.MaxValue)
            : 0;
}
