using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Turbine.Registry.Domain;
using Turbine.Registry.Security;
using Turbine.Registry.Storage;

namespace Turbine.Registry.Api;

internal sealed partial class RegistryApi
{
    private const int MaxAuditLimit = 1000;

    private void MapAdmin(RouteGroupBuilder api)
    {
        api.MapGet("/lineage", (Func<HttpContext, Task<IResult>>)LineageQueryAsync).Produces<VersionListResponse>()
            .WithSummary("Versions by lineage: datasetUri, datasetDigest, codeCommit or runId (exactly one)");
        api.MapGet("/models/{name}/versions/{version:long}/lineage", VersionLineageAsync).Produces<VersionLineageResponse>();
        api.MapGet("/audit", (Func<HttpContext, Task<IResult>>)AuditAsync).Produces<AuditResponse>().WithSummary("The audit log, newest first");
        api.MapPost("/tokens", (Func<HttpContext, Task<IResult>>)CreateTokenAsync).WithMetadata(new JsonRequestBody(typeof(CreateTokenRequest))).Produces<CreatedTokenResponse>(StatusCodes.Status201Created);
        api.MapGet("/tokens", async Task<IResult> (HttpContext context) =>
        {
            context.GetCaller().RequireGlobalAdmin();
            return ApiHttp.Json(new TokenListResponse(await store.ListTokensAsync(context.RequestAborted).ConfigureAwait(false)));
        }).Produces<TokenListResponse>();
        api.MapDelete("/tokens/{id:long}", async (long id, HttpContext context) =>
        {
            var caller = context.GetCaller();
            caller.RequireGlobalAdmin();
            return await store.RevokeTokenAsync(id, caller.Name, context.RequestAborted).ConfigureAwait(false)
                ? Results.NoContent()
                : throw RegistryException.NotFound($"no active token with id {id}");
        });
    }

    private async Task<IResult> LineageQueryAsync(HttpContext context)
    {
        var caller = context.GetCaller();
        caller.Require(TokenRole.Reader);
        var q = context.Request.Query;
        var given = new[] { (LineageField.DatasetUri, "datasetUri"), (LineageField.DatasetDigest, "datasetDigest"), (LineageField.CodeCommit, "codeCommit"), (LineageField.RunId, "runId") }
            .Where(f => q[f.Item2].ToString().Length > 0).ToArray();
        if (given.Length != 1)
        {
            throw RegistryException.Invalid("invalid_filter", "give exactly one of datasetUri, datasetDigest, codeCommit, runId");
        }

        var versions = await store.FindByLineageAsync(given[0].Item1, q[given[0].Item2].ToString(), context.RequestAborted).ConfigureAwait(false);
        return ApiHttp.Json(new VersionListResponse(versions.Where(v => caller.CanSee(v.Model)).ToArray()));
    }

    private async Task<IResult> VersionLineageAsync(string name, long version, HttpContext context)
    {
        context.GetCaller().Require(TokenRole.Reader, name);
        var current = await RequireVersionAsync(name, version, context.RequestAborted).ConfigureAwait(false);
        var all = (await store.ListVersionsAsync(name, null, context.RequestAborted).ConfigureAwait(false)).ToDictionary(v => v.Version);
        var ancestors = new List<ModelVersion>();
        for (var parent = current.Lineage.ParentVersion; parent is { } p && all.TryGetValue(p, out var found) && ancestors.Count < all.Count; parent = found.Lineage.ParentVersion)
        {
            ancestors.Add(found);
        }

        // Parents always have lower numbers, so one ascending pass finds every descendant.
        var inTree = new HashSet<long> { version };
        var descendants = new List<ModelVersion>();
        foreach (var candidate in all.Values.OrderBy(v => v.Version))
        {
            if (candidate.Lineage.ParentVersion is { } p && inTree.Contains(p))
            {
                inTree.Add(candidate.Version);
                descendants.Add(candidate);
            }
        }

        return ApiHttp.Json(new VersionLineageResponse(current, ancestors, descendants));
    }

    private async Task<IResult> AuditAsync(HttpContext context)
    {
        var caller = context.GetCaller();
        var q = context.Request.Query;
        var model = q["model"].ToString() is { Length: > 0 } m ? m : null;
        if (model is null)
        {
            caller.RequireGlobalAdmin();
        }
        else
        {
            caller.Require(TokenRole.Admin, model);
        }

        var limit = ParseLong(q["limit"].ToString(), "limit") ?? 100;
        if (limit is < 1 or > MaxAuditLimit)
        {
            throw RegistryException.Invalid("invalid_filter", $"limit must be 1..{MaxAuditLimit}, got {limit}");
        }

        var before = ParseLong(q["before"].ToString(), "before");
        var entries = await store.ListAuditAsync(model, (int)limit, before, context.RequestAborted).ConfigureAwait(false);
        return ApiHttp.Json(new AuditResponse(entries.Select(e =>
            new AuditEntryResponse(e.Id, e.At, e.Actor, e.Action, e.Model, e.Version, JsonDocument.Parse(e.Details).RootElement.Clone())).ToArray()));
    }

    private async Task<IResult> CreateTokenAsync(HttpContext context)
    {
        var caller = context.GetCaller();
        caller.RequireGlobalAdmin();
        var request = await ApiHttp.ReadJsonAsync<CreateTokenRequest>(context).ConfigureAwait(false);
        var (name, role, models) = TokenRequests.Validate(request.Name, request.Role, request.Models);
        var secret = TokenSecrets.Generate();
        var token = await store.CreateTokenAsync(name, role, models, TokenSecrets.Hash(secret), caller.Name, context.RequestAborted).ConfigureAwait(false);
        return ApiHttp.Json(new CreatedTokenResponse(token.Id, token.Name, token.Role, token.Models, secret), StatusCodes.Status201Created);
    }

    private static long? ParseLong(string text, string what) =>
        text.Length == 0 ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw RegistryException.Invalid("invalid_filter", $"{what} must be a whole number, got '{text}'");
}
