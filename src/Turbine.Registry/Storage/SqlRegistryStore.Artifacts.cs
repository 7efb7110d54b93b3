namespace Turbine.Registry.Storage;

/// <summary>Who uploaded which blob, and which models use a blob: the artifact access checks.</summary>
internal sealed partial class SqlRegistryStore
{
    public async Task<bool> RecordUploadAsync(string sha256, string uploader, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var inserted = await ExecuteAsync(scope,
            "INSERT INTO artifact_uploads (sha256, uploader, uploaded_at) VALUES (@sha, @uploader, @now) ON CONFLICT (sha256, uploader) DO NOTHING",
            cancellationToken, ("@sha", sha256), ("@uploader", uploader), ("@now", Now())).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted > 0;
    }

    public async Task<bool> HasUploadedAsync(string sha256, string uploader, CancellationToken cancellationToken)
    {
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync(scope, "SELECT uploader FROM artifact_uploads WHERE sha256 = @sha AND uploader = @uploader",
            r => r.GetString(0), cancellationToken, ("@sha", sha256), ("@uploader", uploader)).ConfigureAwait(false);
        return rows.Count > 0;
    }

    public async Task<IReadOnlyList<string>> ModelsUsingArtifactAsync(string sha256, CancellationToken cancellationToken)
    {
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        return await QueryAsync(scope, "SELECT DISTINCT model FROM versions WHERE artifact_sha256 = @sha ORDER BY model",
            r => r.GetString(0), cancellationToken, ("@sha", sha256)).ConfigureAwait(false);
    }
}
