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
        api.MapGet("/models/{name}/versions", async (string name, string? stage, HttpContext context) =>
        {
            context.GetCaller().Require(TokenRole.Reader, name);
            var filter = string.IsNullOrEmpty(stage) ? (ModelStage?)null : RegistryValidation.Stage(stage);
            await RequireModelAsync(name, context.RequestAborted).ConfigureAwait(false);
            return ApiHttp.Json(new VersionListResponse(await store.ListVersionsAsync(name, filter, context.RequestAborted).ConfigureAwait(false)));
        }).Produces<VersionListResponse>();
        api.MapGet("/models/{name}/versions/{version:long}", async (string name, long version, HttpContext context) =>
        {
            context.GetCaller().Require(TokenRole.Reader, name);
            return ApiHttp.Json(await RequireVersionAsync(name, version, context.RequestAborted).ConfigureAwait(false));
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
            caller.Require(TokenRole.Writer, name);
            await RequireModelAsync(name, context.RequestAborted).ConfigureAwait(false);
            return await store.DeleteAliasAsync(name, alias, caller.Name, context.RequestAborted).ConfigureAwait(false)
                ? Results.NoContent()
                : throw RegistryException.NotFound($"model '{name}' has no alias '{alias}'");
        });
        api.MapGet("/resolve/{reference}", async (string reference, HttpContext context) =>
        {
            var parsed = ModelReference.Parse(reference);
            context.GetCaller().Require(TokenRole.Reader, parsed.Model);
            return ApiHttp.Json(await ResolveAsync(parsed, context.RequestAborted).ConfigureAwait(false));
        }).Produces<ModelVersion>().WithSummary("Resolve name:3, name@alias, name@production or name (latest) to a version");
    }

    private async Task<IResult> CreateVersionAsync(string name, HttpContext context)
    {
        var caller = context.GetCaller();
        caller.Require(TokenRole.Writer, name);
        var request = await ApiHttp.ReadJsonAsync<CreateVersionRequest>(context).ConfigureAwait(false);
        var artifact = await ValidateArtifactAsync(request.Artifact, caller, context.RequestAborted).ConfigureAwait(false);
        RegistryValidation.Description(request.Description);
        RegistryValidation.Entries(request.Metrics, "metrics");
        RegistryValidation.Entries(request.Params, "params");
        var lineage = request.Lineage is { } l
            ? new VersionLineage(l.DatasetUri, l.DatasetDigest, l.CodeRepository, l.CodeCommit, l.RunId, l.ParentVersion)
            : VersionLineage.Empty;
        foreach (var (field, value) in new[] { ("datasetUri", lineage.DatasetUri), ("datasetDigest", lineage.DatasetDigest), ("codeRepository", lineage.CodeRepository), ("codeCommit", lineage.CodeCommit), ("runId", lineage.RunId) })
        {
            RegistryValidation.Text(value, $"lineage.{field}", RegistryLimits.MaxValueLength);
        }

        await RequireModelAsync(name, context.RequestAborted).ConfigureAwait(false);
        ArtifactInspection inspection;
        var content = await artifacts.OpenReadAsync(artifact.Sha256, context.RequestAborted).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            inspection = await ArtifactInspector.InspectAsync(content, artifact.Packing, artifact.FileName, context.RequestAborted).ConfigureAwait(false);
        }

        var version = await store.CreateVersionAsync(name,
            new NewModelVersion(artifact, request.Description ?? "", inspection.Format, inspection.Signature, request.Metrics ?? [], request.Params ?? [], lineage),
            caller.Name, context.RequestAborted).ConfigureAwait(false);
        return ApiHttp.Json(version, StatusCodes.Status201Created);
    }

    private async Task<VersionArtifact> ValidateArtifactAsync(ArtifactReference? reference, Caller caller, CancellationToken cancellationToken)
    {
        if (reference is null || string.IsNullOrEmpty(reference.Sha256))
        {
            throw RegistryException.Invalid("invalid_metadata", "artifact.sha256 is required (upload the bytes with POST /api/v1/artifacts first)");
        }

        var sha = Digests.Normalize(reference.Sha256);
        var packing = reference.Packing?.ToLowerInvariant() switch
        {
            null or "file" => ArtifactPacking.File,
            "tar" => ArtifactPacking.Tar,
            _ => throw RegistryException.Invalid("invalid_metadata", $"artifact.packing '{reference.Packing}' is not 'file' or 'tar'"),
        };
        string? fileName = null;
        if (packing == ArtifactPacking.File)
        {
            fileName = reference.FileName ?? "model.onnx";
            RegistryValidation.FileName(fileName);
        }

        // A digest the caller did not upload and cannot read through any version is answered exactly like one that
        // does not exist: a token must not reach (or learn of) another model's artifact by naming its digest.
        var unknown = RegistryException.Invalid("unknown_artifact", $"no artifact with sha256 {sha}; upload it with POST /api/v1/artifacts first");
        if (!await MayUseArtifactAsync(sha, caller, cancellationToken).ConfigureAwait(false))
        {
            throw unknown;
        }

        var blob = await artifacts.StatAsync(sha, cancellationToken).ConfigureAwait(false) ?? throw unknown;
        return new VersionArtifact(sha, blob.Size, packing, fileName);
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
        context.GetCaller().Require(TokenRole.Reader, name);
        var found = await RequireVersionAsync(name, version, context.RequestAborted).ConfigureAwait(false);
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
        caller.Require(TokenRole.Writer, name);
        var request = await ApiHttp.ReadJsonAsync<StageRequest>(context).ConfigureAwait(false);
        var stage = RegistryValidation.Stage(request.Stage);
        var current = await RequireVersionAsync(name, version, context.RequestAborted).ConfigureAwait(false);
        if (stage == ModelStage.Production || current.Stage == ModelStage.Production)
        {
            caller.Require(TokenRole.Admin, name);
        }

        return ApiHttp.Json(await store.SetStageAsync(name, version, stage, request.ArchiveExisting, caller.Name, context.RequestAborted).ConfigureAwait(false));
    }

    private async Task<IResult> SetAliasAsync(string name, string alias, HttpContext context)
    {
        var caller = context.GetCaller();
        caller.Require(TokenRole.Writer, name);
        RegistryValidation.AliasName(alias);
        var request = await ApiHttp.ReadJsonAsync<AliasRequest>(context).ConfigureAwait(false);
        if (request.Version is not { } version)
        {
            throw RegistryException.Invalid("invalid_metadata", "the body needs {\"version\": N}");
        }

        await RequireVersionAsync(name, version, context.RequestAborted).ConfigureAwait(false);
        await store.SetAliasAsync(name, alias, version, caller.Name, context.RequestAborted).ConfigureAwait(false);
        return ApiHttp.Json(new AliasResponse(alias, version));
    }

    private async Task<ModelVersion> ResolveAsync(ModelReference reference, CancellationToken cancellationToken)
    {
        var model = await RequireModelAsync(reference.Model, cancellationToken).ConfigureAwait(false);
        long? number = reference switch
        {
            { Version: { } v } => v,
            { Stage: { } stage } => (await store.ListVersionsAsync(model.Name, stage, cancellationToken).ConfigureAwait(false)).LastOrDefault()?.Version,
            { Alias: { } alias } => await store.FindAliasAsync(model.Name, alias, cancellationToken).ConfigureAwait(false),
            _ => model.LatestVersion,
        };
        return number is { } n && await store.GetVersionAsync(model.Name, n, cancellationToken).ConfigureAwait(false) is { } found
            ? found
            : throw RegistryException.NotFound($"reference '{reference}' matches no version of model '{model.Name}'");
    }
}
