using Microsoft.Extensions.Logging;

namespace Turbine.Registry.Artifacts;

internal static partial class ArtifactStoreLog
{
    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "artifact store: removed {Count} stale temp file(s) from {Path}")]
    public static partial void StaleTempRemoved(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 602, Level = LogLevel.Debug, Message = "artifact store {Store}: stored sha256 {Sha256} ({Size} bytes)")]
    public static partial void BlobStored(ILogger logger, string store, string sha256, long size);

    [LoggerMessage(EventId = 603, Level = LogLevel.Debug, Message = "artifact store {Store}: deleted sha256 {Sha256}")]
    public static partial void BlobDeleted(ILogger logger, string store, string sha256);

    [LoggerMessage(EventId = 604, Level = LogLevel.Warning, Message = "artifact store s3: could not abort multipart upload {UploadId} of {Key}; a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes it")]
    public static partial void AbortFailed(ILogger logger, string uploadId, string key, Exception exception);
}
