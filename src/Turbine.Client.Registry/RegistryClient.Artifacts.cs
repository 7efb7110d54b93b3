using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;

namespace Turbine.Client.Registry;

public sealed partial class RegistryClient
{
    /// <summary>
    /// POST /api/v1/artifacts with one file, streamed from disk. The digest is computed first (streaming) and sent as
    /// <c>X-Content-SHA256</c>, so the registry rejects bytes that changed in transit.
    /// </summary>
    public async Task<ArtifactUpload> UploadFileAsync(string path, CancellationToken ct = default)
    {
        var digest = await ComputeSha256Async(path, ct).ConfigureAwait(false);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        using var content = new StreamContent(file, 81920);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = file.Length;
        return await UploadAsync(content, digest, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// POST /api/v1/artifacts with a folder, packed on the fly as an uncompressed tar into the request stream
    /// (chunked; nothing is buffered). No digest header: the registry computes it.
    /// </summary>
    public Task<ArtifactUpload> UploadDirectoryAsync(string directory, CancellationToken ct = default)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"folder '{directory}' does not exist");
        }

        return UploadAsync(new TarDirectoryContent(directory), null, ct);
    }

    /// <summary>
    /// Uploads a file or a folder (see <see cref="UploadFileAsync"/>, <see cref="UploadDirectoryAsync"/>) and returns
    /// the artifact reference to register it with.
    /// </summary>
    public async Task<RegistryArtifact> UploadAsync(string path, CancellationToken ct = default)
    {
        if (Directory.Exists(path))
        {
            var upload = await UploadDirectoryAsync(path, ct).ConfigureAwait(false);
            return new RegistryArtifact { Sha256 = upload.Sha256, Size = upload.Size, Packing = RegistryArtifact.TarPacking };
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' is neither a file nor a folder", path);
        }

        var file = await UploadFileAsync(path, ct).ConfigureAwait(false);
        return new RegistryArtifact { Sha256 = file.Sha256, Size = file.Size, Packing = RegistryArtifact.FilePacking, FileName = Path.GetFileName(path) };
    }

    /// <summary>
    /// GET …/versions/{v}/artifact streamed into <paramref name="destinationPath"/>, verified against
    /// <paramref name="expectedSha256"/> (or the answer's <c>X-Content-SHA256</c> when null); nothing is left at the
    /// destination when the bytes do not match. Returns the verified digest.
    /// </summary>
    public async Task<string> DownloadArtifactAsync(string model, long version, string destinationPath, string? expectedSha256 = null, CancellationToken ct = default)
    {
        var path = VersionPath(model, version) + "/artifact";
        using var response = await SendRawAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        var digest = expectedSha256
            ?? (response.Headers.TryGetValues(DigestHeader, out var values) ? values.FirstOrDefault() : null)
            ?? throw new RegistryException((int)response.StatusCode, "bad_response", $"the registry sent the artifact of {model}:{version} without an {DigestHeader} header, and no digest was given to verify it");
        if (digest.Length != 64 || !digest.All(char.IsAsciiHexDigit))
        {
            throw new RegistryException((int)response.StatusCode, "bad_response", $"the artifact digest '{digest}' of {model}:{version} is not a SHA-256 (64 hex characters)");
        }

        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        try
        {
            await ArtifactDownload.ToFileAsync(body, digest, destinationPath, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryException(0, RegistryException.UnreachableCode, $"the download of {model}:{version} from {_http.BaseAddress} broke off: {e.Message}", e);
        }

        return digest.ToLowerInvariant();
    }

    /// <summary>Lower-case hex SHA-256 of a file, read as a stream.</summary>
    public static async Task<string> ComputeSha256Async(string path, CancellationToken ct = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct).ConfigureAwait(false));
    }

    private async Task<ArtifactUpload> UploadAsync(HttpContent content, string? digest, CancellationToken ct)
    {
        using var response = await SendRawAsync(HttpMethod.Post, "api/v1/artifacts", content, HttpCompletionOption.ResponseContentRead, ct, digest).ConfigureAwait(false);
        var answer = await response.Content.ReadFromJsonAsync<ArtifactUpload>(Json, ct).ConfigureAwait(false)
            ?? throw new RegistryException((int)response.StatusCode, "bad_response", "the registry answered the upload with an empty body");
        return answer with { AlreadyExisted = response.StatusCode == System.Net.HttpStatusCode.OK };
    }
}
