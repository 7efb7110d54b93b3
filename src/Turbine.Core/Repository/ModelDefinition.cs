using Turbine.Core.Backends;
using Turbine.Core.Config;

namespace Turbine.Core.Repository;

/// <summary>A model's completed, validated config and the backend that serves it (null for a graph, which runs other models).</summary>
internal sealed record ModelDefinition(ModelConfig Config, IBackend? Backend, string ModelDirectory)
{
    /// <summary>The compiled ensemble when the model is one (<c>platform: "ensemble"</c>), else null.</summary>
    public Graphs.EnsembleGraph? Graph { get; init; }

    /// <summary>The routing graph when the model is one (<c>platform: "turbine_graph"</c>), else null.</summary>
    public Graphs.RoutingGraph? RoutingGraph { get; init; }

    /// <summary>The limits the model's files are read under.</summary>
    public ModelFileLimits FileLimits { get; init; } = new();

    /// <summary>The files the config names in the model folder (labels, warmup/, initial_state/).</summary>
    public ModelFiles Files => new(ModelDirectory, FileLimits);

    /// <summary>
    /// A version's folder: <c>&lt;model&gt;/&lt;version&gt;</c>, or the model's own folder for one <c>.onnx</c> file served
    /// in place (<see cref="ModelRepositoryLayout.ModelFile"/>); the repository decides (<see cref="ModelRepository.VersionPath"/>).
    /// </summary>
    public Func<long, string>? VersionFolder { get; init; }

    /// <summary>The checked path of a version's model file (inside the version folder, a regular file within its limit).</summary>
    public string ModelFilePath(long version) =>
        new ModelFiles(VersionFolder?.Invoke(version) ?? Path.Combine(ModelDirectory, version.ToString(System.Globalization.CultureInfo.InvariantCulture)), FileLimits)
            .Resolve("", Config.DefaultModelFilename, "default_model_filename", ModelFileKind.Model);
}
