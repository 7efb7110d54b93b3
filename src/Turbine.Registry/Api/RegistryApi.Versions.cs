using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Turbine.Registry.Artifacts;
using Turbine.Registry.Domain;
using Turbine.Registry.Inspection;
using Turbine.Registry.Security;

namespace Turbine.Registry.Api;

internal sealed partial class RegistryApi
{
    private void MapVersions(RouteGroupBuilder api)
    {
        api.MapPost("/models/{name}/versions", CreateVersionAsync).WithMetadata(new JsonRequestBody(typeof(CreateVersionRequest))).Produces<ModelVersion>(StatusCodes.Status201Created)
            .WithSummary("Push a version: the next number, pointing at an uploaded artifact");
        api.MapGet("/models/{name}/versions", ListVersionsAsync).Produces<VersionListResponse>();
        api.MapGet("/models/{name}/versions/{version:long}", async (string name, long version, HttpContext context) =>
        {
            if (context.GetCaller().Require(TokenRole.Reader, name) is { } denied)
            {
                return ApiHttp.Error(denied);
            }

            var found = await RequireVersionAsync(name, version, context.RequestAborted).ConfigureAwait(false);
            return found.IsOk ? ApiHttp.Json(found.Value) : ApiHttp.Error(found.Error);
        }).Produces<ModelVersion>();
        api.MapGet("/models/{name}/versions/{version:long}/artifact", DownloadAsync).Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .WithSummary("Stream the version's artifact (X-Content-SHA256 header carries its digest)");
        api.MapGet("/models/{name}/versions/{version:long}/card", (string name, long version, HttpContext context) => GetCardAsync(name, version, context));
        api.MapPut("/models/{name}/versions/{version:long}/card", (string name, long version, HttpContext context) => SetCardAsync(name, version, context));
        api.MapPost("/models/{name}/versions/{version:long}/stage", SetStageAsync).WithMetadata(new JsonRequestBody(typeof(StageRequest))).Produces<ModelVersion>();
        api.MapPut("/models/{name}/aliases/{alias}", SetAliasAsync).WithMetadata(new JsonRequestBody(typeof(AliasRequest))).Produces<AliasResponse>();
        api.MapDelete("/models/{name}/aliases/{alias}", async (string name, string alias, HttpContext context) =>
        {
            var caller = context.GetCaller();
            if (caller.Require(TokenRole.Writer, name) is { } denied)
            {
                return ApiHttp.Error(denied);
            }

            var model = await RequireModelAsync(name, context.RequestAborted).ConfigureAwait(false);
            if (!model.IsOk)
            {
                return ApiHttp.Error(model.Error);
            }

            return await store.DeleteAliasAsync(name, alias, caller.Name, context.RequestAborted).ConfigureAwait(false)
                ? Results.NoContent()
                : ApiHttp.Error(RegistryError.NotFound($"model '{name}' has no alias '{alias}'"));
        });
        api.MapGet("/resolve/{reference}", async (string reference, HttpContext context) =>
        {
            var parsed = ModelReference.Parse(reference);
            if (!parsed.IsOk)
            {
                return ApiHttp.Error(parsed.Error);
            }

            if (context.GetCaller().Require(TokenRole.Reader, parsed.Value.Model) is { } denied)
            {
                return ApiHttp.Error(denied);
            }

            var resolved = await ResolveAsync(parsed.Value, context.RequestAborted).ConfigureAwait(false);
            return resolved.IsOk ? ApiHttp.Json(resolved.Value) : ApiHttp.Error(resolved.Error);
        }).Produces<ModelVersion>().WithSummary("Resolve name:3, name@alias, name@production or name (latest) to a version");
    }

    private async Task<IResult> ListVersionsAsync(string name, string? stage, HttpContext context)
    {
        if (context.GetCaller().Require(TokenRole.Reader, name) is { } denied)
        {
            return ApiHttp.Error(denied);
        }

        ModelStage? filter = null;
        if (!string.IsNullOrEmpty(stage))
        {
            var parsed = RegistryValidation.Stage(stage);
            if (!parsed.IsOk)
            {
                return ApiHttp.Error(parsed.Error);
            }

            filter = parsed.Value;
        }

        var model = await RequireModelAsync(name, context.RequestAborted).ConfigureAwait(false);
        return model.IsOk
            ? ApiHttp.Json(new VersionListResponse(await store.ListVersionsAsync(name, filter, context.RequestAborted).ConfigureAwait(false)))
            : ApiHttp.Error(model.Error);
    }

    private async Task<IResult> CreateVersionAsync(string name, HttpContext context)
    {
        var caller = context.GetCaller();
        var body = await ReadJsonAsAsync<CreateVersionRequest>(context, caller, TokenRole.Writer, name).ConfigureAwait(false);
        if (!body.IsOk)
        {
            return ApiHttp.Error(body.Error);
        }

        var request = body.Value;
        var validArtifact = await ValidateArtifactAsync(request.Artifact, caller, context.RequestAborted).ConfigureAwait(false);
        if (!validArtifact.IsOk)
        {
            return ApiHttp.Error(validArtifact.Error);
        }

        var artifact = validArtifact.Value;
        var lineage = request.Lineage is { } l
            ? new VersionLineage(l.DatasetUri, l.DatasetDigest, l.CodeRepository, l.CodeCommit, l.RunId, l.ParentVersion)
            : VersionLineage.Empty;
        if (RegistryError.First(
                RegistryValidation.Description(request.Description),
                RegistryValidation.Entries(request.Metrics, "metrics"),
                RegistryValidation.Entries(request.Params, "params"),
                RegistryValidation.Text(lineage.DatasetUri, "lineage.datasetUri", RegistryLimits.MaxValueLength),
                RegistryValidation.Text(lineage.DatasetDigest, "lineage.datasetDigest", RegistryLimits.MaxValueLength),
                RegistryValidation.Text(lineage.CodeRepository, "lineage.codeRepository", RegistryLimits.MaxValueLength),
                RegistryValidation.Text(lineage.CodeCommit, "lineage.codeCommit", RegistryLimits.MaxValueLength),
                RegistryValidation.Text(lineage.RunId, "lineage.runId", RegistryLimits.MaxValueLength)) is { } invalid)
        {
            return ApiHttp.Error(invalid);
        }

        var model = await RequireModelAsync(name, context.RequestAborted).ConfigureAwait(false);
        if (!model.IsOk)
        {
            return ApiHttp.Error(model.Error);
        }

        RegistryResult<ArtifactInspection> inspection;
        var content = await artifacts.OpenReadAsync(artifact.Sha256, context.RequestAborted).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            inspection = await ArtifactInspector.InspectAsync(content, artifact.Packing, artifact.FileName, context.RequestAborted).ConfigureAwait(false);
        }

        if (!inspection.IsOk)
        {
            return ApiHttp.Error(inspection.Error);
        }

        var version = await store.CreateVersionAsync(name,
            new NewModelVersion(artifact, request.Description ?? "", inspection.Value.Format, inspection.Value.Signature, request.Metrics ?? [], request.Params ?? [], lineage),
            caller.Name, context.RequestAborted).ConfigureAwait(false);
        return version.IsOk ? ApiHttp.Json(version.Value, StatusCodes.Status201Created) : ApiHttp.Error(version.Error);
    }

    private async Task<RegistryResult<VersionArtifact>> ValidateArtifactAsync(ArtifactReference? reference, Caller caller, CancellationToken cancellationToken)
    {
        if (reference is null || string.IsNullOrEmpty(reference.Sha256))
        {
            return RegistryError.Invalid("invalid_metadata", "artifact.sha256 is required (upload the bytes with POST /api/v1/artifacts first)");
        }

        var normalized = Digests.Normalize(reference.Sha256);
        if (!normalized.IsOk)
        {
            return normalized.Error;
        }

        var sha = normalized.Value;
        ArtifactPacking packing;
        switch (reference.Packing?.ToLowerInvariant())
        {
            case null or "file":
                packing = ArtifactPacking.File;
                break;
            case "tar":
                packing = ArtifactPacking.Tar;
                break;
            default:
                return RegistryError.Invalid("invalid_metadata", $"artifact.packing '{reference.Packing}' is not 'file' or 'tar'");
        }

        string? fileName = null;
        if (packing == ArtifactPacking.File)
        {
            fileName = reference.FileName ?? "model.onnx";
            if (RegistryValidation.FileName(fileName) is { } badName)
            {
                return badName;
            }
        }

        // A digest the caller did not upload and cannot read through any version is answered exactly like one that
        // does not exist: a token must not reach (or learn of) another model's artifact by naming its digest.
        var unknown = RegistryError.Invalid("unknown_artifact", $"no artifact with sha256 {sha}; upload it with POST /api/v1/artifacts first");
        if (!await MayUseArtifactAsync(sha, caller, cancellationToken).ConfigureAwait(false))
        {
            return unknown;
        }

        return await artifacts.StatAsync(sha, cancellationToken).ConfigureAwait(false) is { } blob
            ? new VersionArtifact(sha, blob.Size, packing, fileName)
            : unknown;
    }

    /// <summary>The caller uploaded the blob, may read a version that uses it, or is an admin of every model.</summary>
    private async Task<bool> MayUseArtifactAsync(string sha256, Caller caller, CancellationToken cancellationToken)
    {
        if (caller.Role == TokenRole.Admin && caller.Models == ModelPattern.All)
        {
            return true;
        }

        if (await store.HasUploadedAsync(sha256, caller.Uploader, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        var models = await store.ModelsUsingArtifactAsync(sha256, cancellationToken).ConfigureAwait(false);
        return models.Any(caller.MayRead);
    }

    private async Task DownloadAsync(string name, long version, HttpContext context)
    {
        if (context.GetCaller().Require(TokenRole.Reader, name) is { } denied)
        {
            await ApiHttp.WriteErrorAsync(context, denied).ConfigureAwait(false);
            return;
        }

        var requested = await RequireVersionAsync(name, version, context.RequestAborted).ConfigureAwait(false);
        if (!requested.IsOk)
        {
            await ApiHttp.WriteErrorAsync(context, requested.Error).ConfigureAwait(false);
            return;
        }

        var found = requested.Value;
        var content = await artifacts.OpenReadAsync(found.Artifact.Sha256, context.RequestAborted).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            var response = context.Response;
            response.ContentType = found.Artifact.Packing == ArtifactPacking.Tar ? "application/x-tar" : "application/octet-stream";
            response.ContentLength = found.Artifact.Size;
            response.Headers["X-Content-SHA256"] = found.Artifact.Sha256;
            var fileName = found.Artifact.FileName ?? $"{name}-{version}.tar";
            response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1024 * 1024);
            try
            {
                int read;
                while ((read = await content.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
                {
                    await response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
                    metrics?.Downloaded(read);
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async Task<IResult> SetStageAsync(string name, long version, HttpContext context)
    {
        var caller = context.GetCaller();
        var body = await ReadJsonAsAsync<StageRequest>(context, caller, TokenRole.Writer, name).ConfigureAwait(false);
        if (!body.IsOk)
        {
            return ApiHttp.Error(body.Error);
        }

        var request = body.Value;
        var stage = RegistryValidation.Stage(request.Stage);
        if (!stage.IsOk)
        {
            return ApiHttp.Error(stage.Error);
        }

        var current = await RequireVersionAsync(name, version, context.RequestAborted).ConfigureAwait(false);
        if (!current.IsOk)
        {
            return ApiHttp.Error(current.Error);
        }

        if ((stage.Value == ModelStage.Production || current.Value.Stage == ModelStage.Production)
            && caller.Require(TokenRole.Admin, name) is { } notAdmin)
        {
            return ApiHttp.Error(notAdmin);
        }

        var changed = await store.SetStageAsync(name, version, stage.Value, request.ArchiveExisting, caller.Name, context.RequestAborted).ConfigureAwait(false);
        return changed.IsOk ? ApiHttp.Json(changed.Value) : ApiHttp.Error(changed.Error);
    }

    private async Task<IResult> SetAliasAsync(string name, string alias, HttpContext context)
    {
        var caller = context.GetCaller();
        if (RegistryError.First(caller.Require(TokenRole.Writer, name), RegistryValidation.AliasName(alias)) is { } invalid)
        {
            return ApiHttp.Error(invalid);
        }

        var body = await ApiHttp.ReadJsonAsync<AliasRequest>(context).ConfigureAwait(false);
        if (!body.IsOk)
        {
            return ApiHttp.Error(body.Error);
        }

        if (body.Value.Version is not { } version)
        {
            return ApiHttp.Error(RegistryError.Invalid("invalid_metadata", "the body needs {\"version\": N}"));
        }

        var found = await RequireVersionAsync(name, version, context.RequestAborted).ConfigureAwait(false);
        if (!found.IsOk)
        {
            return ApiHttp.Error(found.Error);
        }

        return await store.SetAliasAsync(name, alias, version, caller.Name, context.RequestAborted).ConfigureAwait(false) is { } error
            ? ApiHttp.Error(error)
            : ApiHttp.Json(new AliasResponse(alias, version));
    }

    private async Task<RegistryResult<ModelVersion>> ResolveAsync(ModelReference reference, CancellationToken cancellationToken)
    {
        var found = await RequireModelAsync(reference.Model, cancellationToken).ConfigureAwait(false);
        if (!found.IsOk)
        {
            return found.Error;
        }

        var model = found.Value;
        long? number = reference switch
        {
            { Version: { } v } => v,
            { Stage: { } stage } => (await store.ListVersionsAsync(model.Name, stage, cancellationToken).ConfigureAwait(false)).LastOrDefault()?.Version,
            { Alias: { } alias } => await store.FindAliasAsync(model.Name, alias, cancellationToken).ConfigureAwait(false),
            _ => model.LatestVersion,
        };
        return number is { } n && await store.GetVersionAsync(model.Name, n, cancellationToken).ConfigureAwait(false) is { } version
            ? version
            : RegistryError.NotFound($"reference '{reference}' matches no version of model '{model.Name}'");
    }
}
