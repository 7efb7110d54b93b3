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

    /// <summary>The routing graph that classifies an iris flower and sends it to one of two scoring models by the top class.</summary>
    public const string IrisRouter = "iris_router";

    /// <summary>Scores a flower by its sepal: <c>score = sepal length + sepal width</c> (FP32 [batch,4] → [batch,1]).</summary>
    public const string SepalScore = "sepal_score";

    /// <summary>Scores a flower by its petal: <c>score = petal length + petal width</c> (FP32 [batch,4] → [batch,1]).</summary>
    public const string PetalScore = "petal_score";

    /// <summary>
    /// <c>iris_router</c>'s graph: a Sequence runs <c>iris</c>, then a Switch on its top class (given the request's
    /// <c>input</c> and the classifier's <c>probabilities</c>) sends setosa (class 0) to <c>sepal_score</c> and every
    /// other flower to <c>petal_score</c>.
    /// </summary>
    public const string IrisRouterGraph = """
        nodes:
          root:
            routerType: Sequence
            steps:
              - name: classify
                serviceName: iris
                dependency: Hard
              - name: route
                nodeName: by_species
                data: $request+$response
                dependency: Hard
          by_species:
            routerType: Switch
            steps:
              - name: setosa
                serviceName: sepal_score
                condition: probabilities.argmax == 0
              - name: other
                serviceName: petal_score
                condition: "true"

        """;

    /// <summary><c>iris_router</c>'s config: a <c>turbine_graph</c> model with the classifier's input and the scorers' output.</summary>
    public const string IrisRouterConfig = """
        name: "iris_router"
        platform: "turbine_graph"
        max_batch_size: 64
        input [ { name: "input" data_type: TYPE_FP32 dims: [ 4 ] } ]
        output [ { name: "score" data_type: TYPE_FP32 dims: [ 1 ] } ]

        """;

    /// <summary>
    /// Writes <c>iris_router</c> with its two scoring models into a repository that has the <c>iris</c> sample
    /// (<see cref="SampleRepository.Create"/>).
    /// </summary>
    public static void WriteIrisRouter(string repositoryDirectory)
    {
        WriteScorer(repositoryDirectory, SepalScore, [1, 1, 0, 0]);
        WriteScorer(repositoryDirectory, PetalScore, [0, 0, 1, 1]);
        WriteModel(repositoryDirectory, IrisRouter, IrisRouterConfig, new Dictionary<string, string> { ["graph.yaml"] = IrisRouterGraph });
    }

    /// <summary>A linear scorer: <c>score = input · weights</c>, FP32 [batch,4] → [batch,1].</summary>
    private static void WriteScorer(string repositoryDirectory, string name, float[] weights)
    {
        var graph = new OnnxGraphBuilder(name)
            .Input("input", Onnx.TensorProto.Types.DataType.Float, "batch", "4")
            .Output("score", Onnx.TensorProto.Types.DataType.Float, "batch", "1");
        graph.Node("MatMul", ["input", graph.Initializer("weights", weights, 4, 1)], "score");
        var folder = Path.Combine(repositoryDirectory, name);
        Directory.CreateDirectory(Path.Combine(folder, "1"));
        File.WriteAllBytes(Path.Combine(folder, SampleModels.ModelFile), graph.ToBytes());
        File.WriteAllText(Path.Combine(folder, SampleModels.ConfigFile),
            ModelConfigText.Write(name, SampleModels.IrisMaxBatchSize, [new("input", "TYPE_FP32", [4])], [new("score", "TYPE_FP32", [1])]));
    }

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
