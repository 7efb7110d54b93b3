using System.Text.Json;

namespace Turbine.Control.Runtime;

/// <summary>
/// <c>replica.json</c> in a replica's folder: what a restarted controller needs to adopt and probe the replica beyond
/// the store's <see cref="Storage.ReplicaRecord"/> (the models to probe, the metrics port). Written atomically (temp + rename).
/// </summary>
internal sealed record ReplicaMetadata(
    string Deployment,
    string ReplicaId,
    string RevisionId,
    string Version,
    IReadOnlyList<string> ModelNames,
    int Pid,
    int HttpPort,
    int GrpcPort,
    int MetricsPort,
    DateTimeOffset StartedAt)
{
    public const string FileName = "replica.json";

    private const int MaxBytes = 64 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Write(string folder)
    {
        var path = Path.Combine(folder, FileName);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The metadata in <paramref name="folder"/>; null when it is missing, not a regular file, too large or unreadable.</summary>
    public static ReplicaMetadata? TryRead(string folder)
    {
        var info = new FileInfo(Path.Combine(folder, FileName));
        if (!info.Exists || info.LinkTarget is not null || info.Length > MaxBytes)
        {
            return null;
        }

        try
        {
            var metadata = JsonSerializer.Deserialize<ReplicaMetadata>(File.ReadAllText(info.FullName), Json);
            return metadata is { ModelNames: not null, Deployment: not null, ReplicaId: not null } ? metadata : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }
}
