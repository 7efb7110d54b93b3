using Microsoft.Extensions.Logging;
using Turbine.Registry.Artifacts;

namespace Turbine.Registry;

/// <summary>Builds the artifact store <see cref="RegistryOptions"/> asks for, with a description for the ready line.</summary>
internal static class RegistryArtifactStores
{
    public static (IArtifactStore Store, string Description) Create(RegistryOptions options, ILoggerFactory loggerFactory)
    {
        var directory = Path.GetFullPath(options.ArtifactsDirectory ?? Path.Combine(options.DataDirectory, "artifacts"));
        if (!string.IsNullOrWhiteSpace(options.S3Bucket))
        {
            throw new ArgumentException("the S3 artifact store is not available in this build yet", nameof(options));
        }

        return (new FileSystemArtifactStore(directory, loggerFactory.CreateLogger<FileSystemArtifactStore>()), $"filesystem:{directory}");
    }
}
