using Turbine.Core.Backends;
using Turbine.Core.Config;

namespace Turbine.Core.Repository;

/// <summary>A model's completed, validated config and the backend that serves it.</summary>
public sealed record ModelDefinition(ModelConfig Config, IBackend Backend, string ModelDirectory)
{
    /// <summary>Path of the model file for a version.</summary>
    public string ModelFilePath(long version) =>
        Path.Combine(ModelDirectory, version.ToString(System.Globalization.CultureInfo.InvariantCulture), Config.DefaultModelFilename);
}
