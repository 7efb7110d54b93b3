namespace Turbine.Samples;

/// <summary>
/// The iris feature repository of <c>samples/iris_features</c> (the iris measurements keyed by a flower id, with the
/// enrichment file that turns a request's <c>flower_id</c> into the <c>iris</c> model's input), embedded so an installed
/// <c>turbine up</c> can write it without the source tree. See docs/features.md.
/// </summary>
public static class SampleFeatureRepository
{
    /// <summary>The files, relative to the repository folder.</summary>
    public static IReadOnlyList<string> Files { get; } = ["feature_store.yaml", "data/iris.csv", "enrichment/iris.yaml"];

    /// <summary>The enrichment file of the <c>iris</c> model, relative to the repository folder.</summary>
    public const string IrisEnrichment = "enrichment/iris.yaml";

    /// <summary>Writes the repository into <paramref name="folder"/>, file by file where a file is absent.</summary>
    /// <param name="folder">The feature repository folder (created when absent).</param>
    public static void Write(string folder)
    {
        foreach (var file in Files)
        {
            var target = Path.Combine(folder, file);
            if (File.Exists(target))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var resource = typeof(SampleFeatureRepository).Assembly.GetManifestResourceStream("Turbine.Samples.iris_features/" + file)
                ?? throw new InvalidOperationException($"resource iris_features/{file} is missing from {typeof(SampleFeatureRepository).Assembly.FullName}");
            using var output = File.Create(target);
            resource.CopyTo(output);
        }
    }
}
