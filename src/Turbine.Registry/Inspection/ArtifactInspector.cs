using System.Formats.Tar;
using Turbine.Registry.Artifacts;
using Turbine.Registry.Domain;

namespace Turbine.Registry.Inspection;

/// <summary>
/// Finds what an artifact is: a single <c>.onnx</c> file, or a tar (e.g. a Triton model folder) holding one, whose
/// signature is read from the stream. Both are read front to back once; nothing is buffered whole.
/// </summary>
internal static class ArtifactInspector
{
    public const string Onnx = "onnx";
    public const string Unknown = "unknown";

    /// <summary>The format and signature, or 400 <c>invalid_artifact</c> for a tar that cannot be read.</summary>
    public static async Task<RegistryResult<ArtifactInspection>> InspectAsync(Stream content, ArtifactPacking packing, string? fileName, CancellationToken cancellationToken)
    {
        if (packing == ArtifactPacking.File)
        {
            if (fileName is not null && !fileName.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                return new ArtifactInspection(Unknown, null);
            }

            return Result(await Task.Run(() => OnnxSignatureReader.TryRead(content), cancellationToken).ConfigureAwait(false));
        }

        var reader = new TarReader(content, leaveOpen: true);
        await using (reader.ConfigureAwait(false))
        {
            while (true)
            {
                TarEntry? entry;
                try
                {
                    entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
                {
                    return NotATar(e);
                }

                if (entry is null)
                {
                    break;
                }

                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile
                    && entry.Name.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
                    && !Path.GetFileName(entry.Name).StartsWith("._", StringComparison.Ordinal)
                    && entry.DataStream is { } data)
                {
                    return Result(await Task.Run(() => OnnxSignatureReader.TryRead(data), cancellationToken).ConfigureAwait(false));
                }
            }
        }

        return new ArtifactInspection(Unknown, null);
    }

    private static RegistryError NotATar(Exception e) =>
        RegistryError.Invalid("invalid_artifact", $"the artifact is declared as packing 'tar' but is not a readable uncompressed tar archive ({e.Message})");

    private static ArtifactInspection Result(ModelSignature? signature) =>
        signature is null ? new ArtifactInspection(Unknown, null) : new ArtifactInspection(Onnx, signature);
}
