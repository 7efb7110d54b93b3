using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Turbine.Registry.Artifacts;
using Turbine.Registry.Domain;

namespace Turbine.Registry.Api;

internal sealed partial class RegistryApi
{
    private void MapArtifacts(RouteGroupBuilder api) =>
        api.MapPost("/artifacts", (Func<HttpContext, Task<IResult>>)UploadAsync).WithMetadata(new JsonRequestBody(typeof(byte[]), "application/octet-stream")).Produces<ArtifactResponse>(StatusCodes.Status201Created)
            .WithSummary("Upload an artifact (streamed; X-Content-SHA256 verified); 200 when the blob already existed");

    private async Task<IResult> UploadAsync(HttpContext context)
    {
        var caller = context.GetCaller();
        if (caller.Require(TokenRole.Writer) is { } denied)
        {
            return ApiHttp.Error(denied);
        }

        var limit = options.MaxArtifactBytes;
        if (context.Request.ContentLength is { } length && length > limit)
        {
            return ApiHttp.Error(RegistryError.TooLarge($"artifact of {length} bytes is larger than the limit of {limit} bytes"));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null; // the store enforces the artifact limit while streaming
        }

        var header = context.Request.Headers["X-Content-SHA256"].ToString();
        string? expected = null;
        if (header.Length > 0)
        {
            var normalized = Digests.Normalize(header);
            if (!normalized.IsOk)
            {
                return ApiHttp.Error(normalized.Error);
            }

            expected = normalized.Value;
        }

        var blob = await artifacts.PutAsync(context.Request.Body, expected, limit, context.RequestAborted).ConfigureAwait(false);
        metrics?.Uploaded(blob.Size);

        // Uploading the bytes proves the caller has them: record it, so a version may point at them. 200 says only
        // that this caller had uploaded the same bytes before (never whether someone else had).
        var first = await store.RecordUploadAsync(blob.Sha256, caller.Uploader, context.RequestAborted).ConfigureAwait(false);
        return ApiHttp.Json(new ArtifactResponse(blob.Sha256, blob.Size), first ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }
}
