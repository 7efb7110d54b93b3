namespace Turbine.Core.Repository;

/// <summary>
/// What a repository path holds (<see cref="ModelRepository.Open"/> decides it once, at start): a Triton repository,
/// or one model the way KServe's storage initializer leaves a <c>storageUri</c> that names a model folder or a file
/// in <c>/mnt/models</c>.
/// </summary>
public enum ModelRepositoryLayout
{
    /// <summary>A Triton repository: one folder per model (<c>&lt;repo&gt;/&lt;model&gt;/config.pbtxt</c>, <c>&lt;model&gt;/&lt;version&gt;/</c>).</summary>
    Repository,

    /// <summary>The path is one model folder: <c>config.pbtxt</c> and/or numeric version folders at its top.</summary>
    ModelFolder,

    /// <summary>The path is one ONNX file, or a folder whose only content is one <c>.onnx</c> file: served as version 1.</summary>
    ModelFile,
}
