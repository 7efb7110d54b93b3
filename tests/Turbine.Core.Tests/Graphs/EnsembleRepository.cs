namespace Turbine.Core.Tests.Graphs;

/// <summary>Ensemble configs over the <c>simple</c> sample (INT32 [batch,16]: OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1).</summary>
internal static class EnsembleRepository
{
    /// <summary>Writes an ensemble folder: its config and the empty version folder Triton requires.</summary>
    public static void Write(string root, string name, string config) => Turbine.Samples.SampleGraphs.WriteModel(root, name, config);

    /// <summary>One step of <c>simple</c> with the given maps, as config text.</summary>
    public static string Step(string model, params (string Key, string Value, bool Output)[] maps) =>
        $"{{ model_name: \"{model}\" model_version: -1 " + string.Concat(maps.Select(m =>
            $"{(m.Output ? "output_map" : "input_map")} {{ key: \"{m.Key}\" value: \"{m.Value}\" }} ")) + "}";

    /// <summary>An INT32 [16] ensemble with inputs A, B, the given outputs and steps.</summary>
    public static string Config(string name, string[] outputs, params string[] steps) => $$"""
        name: "{{name}}"
        platform: "ensemble"
        max_batch_size: 8
        input [ { name: "A" data_type: TYPE_INT32 dims: [ 16 ] }, { name: "B" data_type: TYPE_INT32 dims: [ 16 ] } ]
        output [ {{string.Join(", ", outputs.Select(o => $"{{ name: \"{o}\" data_type: TYPE_INT32 dims: [ 16 ] }}"))}} ]
        ensemble_scheduling { step [ {{string.Join(", ", steps)}} ] }
        """;
}
