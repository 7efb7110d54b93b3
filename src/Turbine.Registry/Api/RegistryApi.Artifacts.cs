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
        context.GetCaller().Require(TokenRole.Writer);
        var limit = options.MaxArtifactBytes;
        if (context.Request.ContentLength is { } length && length > limit)
        {
            throw new RegistryException(StatusCodes.Status413PayloadTooLarge, "too_large", $"artifact of {length} bytes is larger than the limit of {limit} bytes");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null; // the store enforces the artifact limit while streaming
        }

        var header = context.Request.Headers["X-Content-SHA256"].ToString();
        var expected = header.Length == 0 ? null : Digests.Normalize(header);
        var existed = expected is not null && await artifacts.StatAsync(expected, context.RequestAborted).ConfigureAwait(false) is not null;
        var blob = await artifacts.PutAsync(context.Request.Body, expected, limit, context.RequestAborted).ConfigureAwait(false);
        return ApiHttp.Json(new ArtifactResponse(blob.Sha256, blob.Size), existed ? StatusCodes.Status200OK : StatusCodes.Status201Created);
    }
}
