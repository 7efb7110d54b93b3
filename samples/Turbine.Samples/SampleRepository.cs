namespace Turbine.Samples;

/// <summary>
/// Generates a Triton-style sample model repository locally (no downloads): for each model
/// <c>&lt;repo&gt;/&lt;name&gt;/config.pbtxt</c> and <c>&lt;repo&gt;/&lt;name&gt;/1/model.onnx</c>.
/// </summary>
public static class SampleRepository
{
    /// <summary>Names of all sample models, in creation order.</summary>
    public static IReadOnlyList<string> ModelNames { get; } = SampleModels.All.Select(model => model.Name).ToArray();

    /// <summary>
    /// Writes every sample model under <paramref name="repositoryDirectory"/> (created if missing).
    /// A model folder that already exists is left alone unless <paramref name="overwrite"/> is true,
    /// in which case the sample's files are rewritten (other files in the folder are kept).
    /// </summary>
    public static void Create(string repositoryDirectory, bool overwrite = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repositoryDirectory);
        foreach (var model in SampleModels.All)
        {
            if (overwrite || !Directory.Exists(Path.Combine(repositoryDirectory, model.Name)))
            {
                Write(repositoryDirectory, model);
            }
        }
    }

    /// <summary>Writes (or rewrites) the files of one sample model under <paramref name="repositoryDirectory"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="modelName"/> is not one of <see cref="ModelNames"/>.</exception>
    public static void CreateModel(string repositoryDirectory, string modelName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repositoryDirectory);
        var model = SampleModels.All.FirstOrDefault(candidate => candidate.Name == modelName)
            ?? throw new ArgumentException(
                $"unknown sample model '{modelName}'; expected one of: {string.Join(", ", ModelNames)}", nameof(modelName));
        Write(repositoryDirectory, model);
    }

    /// <summary>Trains the iris classifier exactly as the <c>iris</c> sample does (deterministic).</summary>
    public static IrisModel TrainIris() => IrisModel.Train(IrisDataSet.Load());

    /// <summary>The iris model's input columns, in input order (the names the sample feature repository uses).</summary>
    public static IReadOnlyList<string> IrisFeatureNames { get; } = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

    /// <summary>The iris sample's training data: one row of <see cref="IrisFeatureNames"/> (cm) per flower, and its class index (150 rows).</summary>
    public static (float[][] Rows, int[] Labels) IrisTrainingData()
    {
        var data = IrisDataSet.Load();
        return (data.Features, data.Labels);
    }

    private static void Write(string repositoryDirectory, SampleModel model)
    {
        var modelDirectory = Path.Combine(repositoryDirectory, model.Name);
        foreach (var (relativePath, content) in model.BuildFiles())
        {
            var path = Path.Combine(modelDirectory, relativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
        }
    }
}
