namespace Turbine.Samples;

/// <summary>
/// Sample graphs over the sample models, written next to them in a repository on request (they are not part of
/// <see cref="SampleRepository.Create"/>'s default set, whose model list other tools count on).
/// </summary>
public static class SampleGraphs
{
    /// <summary>The Triton ensemble of two chained <c>simple</c> steps.</summary>
    public const string SimpleChain = "simple_chain";

    /// <summary>
    /// <c>simple_chain</c>: inputs A, B (INT32 [batch,16]); step 0 runs <c>simple</c> on (A, B) giving SUM = A+B and
    /// DIFF = A-B; step 1 runs <c>simple</c> on (SUM, DIFF) giving TWICE_A = 2A and TWICE_B = 2B. Outputs TWICE_A,
    /// TWICE_B and the intermediate SUM.
    /// </summary>
    public const string SimpleChainConfig = """
        name: "simple_chain"
        platform: "ensemble"
        max_batch_size: 8
        input [ { name: "A" data_type: TYPE_INT32 dims: [ 16 ] }, { name: "B" data_type: TYPE_INT32 dims: [ 16 ] } ]
        output [
          { name: "TWICE_A" data_type: TYPE_INT32 dims: [ 16 ] },
          { name: "TWICE_B" data_type: TYPE_INT32 dims: [ 16 ] },
          { name: "SUM" data_type: TYPE_INT32 dims: [ 16 ] }
        ]
        ensemble_scheduling {
          step [
            {
              model_name: "simple"
              model_version: -1
              input_map { key: "INPUT0" value: "A" }
              input_map { key: "INPUT1" value: "B" }
              output_map { key: "OUTPUT0" value: "SUM" }
              output_map { key: "OUTPUT1" value: "DIFF" }
            },
            {
              model_name: "simple"
              model_version: -1
              input_map { key: "INPUT0" value: "SUM" }
              input_map { key: "INPUT1" value: "DIFF" }
              output_map { key: "OUTPUT0" value: "TWICE_A" }
              output_map { key: "OUTPUT1" value: "TWICE_B" }
            }
          ]
        }

        """;

    /// <summary>Writes <c>simple_chain</c> (its config and the empty version folder an ensemble needs) into a repository that has <c>simple</c>.</summary>
    public static void WriteSimpleChain(string repositoryDirectory) => WriteModel(repositoryDirectory, SimpleChain, SimpleChainConfig);

    /// <summary>Writes a model folder that holds only a config and an empty version folder <c>1/</c> (an ensemble or a graph).</summary>
    public static void WriteModel(string repositoryDirectory, string name, string config, IReadOnlyDictionary<string, string>? extraFiles = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repositoryDirectory);
        var folder = Path.Combine(repositoryDirectory, name);
        Directory.CreateDirectory(Path.Combine(folder, "1"));
        File.WriteAllText(Path.Combine(folder, "config.pbtxt"), config);
        foreach (var (file, text) in extraFiles ?? new Dictionary<string, string>())
        {
            File.WriteAllText(Path.Combine(folder, file), text);
        }
    }
}
