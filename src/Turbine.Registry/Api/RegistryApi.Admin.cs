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
        // Any valid token may ask who it is: the control service (turbine control) checks callers' tokens this way.
        api.MapGet("/auth/whoami", (HttpContext context) =>
        {
            var caller = context.GetCaller();
            return ApiHttp.Json(new WhoAmIResponse(caller.Name, caller.Role, caller.Models));
        }).Produces<WhoAmIResponse>().WithSummary("The calling token's name, role and model pattern");
        api.MapGet("/audit", (Func<HttpContext, Task<IResult>>)AuditAsync).Produces<AuditResponse>().WithSummary("The audit log, newest first");
        api.MapPost("/tokens", (Func<HttpContext, Task<IResult>>)CreateTokenAsync).WithMetadata(new JsonRequestBody(typeof(CreateTokenRequest))).Produces<CreatedTokenResponse>(StatusCodes.Status201Created);
        api.MapGet("/tokens", async Task<IResult> (HttpContext context) =>
        {
            if (context.GetCaller().RequireGlobalAdmin() is { } denied)
            {
                return ApiHttp.Error(denied);
            }

            return ApiHttp.Json(new TokenListResponse(await store.ListTokensAsync(context.RequestAborted).ConfigureAwait(false)));
        }).Produces<TokenListResponse>();
        api.MapDelete("/tokens/{id:long}", async (long id, HttpContext context) =>
        {
            var caller = context.GetCaller();
            if (caller.RequireGlobalAdmin() is { } denied)
            {
                return ApiHttp.Error(denied);
            }

            return await store.RevokeTokenAsync(id, caller.Name, context.RequestAborted).ConfigureAwait(false)
                ? Results.NoContent()
                : ApiHttp.Error(RegistryError.NotFound($"no active token with id {id}"));
        });
    }

    private async Task<IResult> LineageQueryAsync(HttpContext context)
    {
        var caller = context.GetCaller();
        if (caller.Require(TokenRole.Reader) is { } denied)
        {
            return ApiHttp.Error(denied);
        }

        var q = context.Request.Query;
        var given = new[] { (LineageField.DatasetUri, "datasetUri"), (LineageField.DatasetDigest, "datasetDigest"), (LineageField.CodeCommit, "codeCommit"), (LineageField.RunId, "runId") }
            .Where(f => q[f.Item2].ToString().Length > 0).ToArray();
        if (given.Length != 1)
        {
            return ApiHttp.Error(RegistryError.Invalid("invalid_filter", "give exactly one of datasetUri, datasetDigest, codeCommit, runId"));
        }

        var versions = await store.FindByLineageAsync(given[0].Item1, q[given[0].Item2].ToString(), context.RequestAborted).ConfigureAwait(false);
        return ApiHttp.Json(new VersionListResponse(versions.Where(v => caller.CanSee(v.Model)).ToArray()));
    }

    private async Task<IResult> VersionLineageAsync(string name, long version, HttpContext context)
    {
        if (context.GetCaller().Require(TokenRole.Reader, name) is { } denied)
        {
            return ApiHttp.Error(denied);
        }

        var found = await RequireVersionAsync(name, version, context.RequestAborted).ConfigureAwait(false);
        if (!found.IsOk)
        {
            return ApiHttp.Error(found.Error);
        }

        var current = found.Value;
        var all = (await store.ListVersionsAsync(name, null, context.RequestAborted).ConfigureAwait(false)).ToDictionary(v => v.Version);
        var ancestors = new List<ModelVersion>();
        for (var parent = current.Lineage.ParentVersion; parent is { } p && all.TryGetValue(p, out var ancestor) && ancestors.Count < all.Count; parent = ancestor.Lineage.ParentVersion)
        {
            ancestors.Add(ancestor);
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
        if ((model is null ? caller.RequireGlobalAdmin() : caller.Require(TokenRole.Admin, model)) is { } denied)
        {
            return ApiHttp.Error(denied);
        }

        var parsedLimit = ParseLong(q["limit"].ToString(), "limit");
        if (!parsedLimit.IsOk)
        {
            return ApiHttp.Error(parsedLimit.Error);
        }

        var limit = parsedLimit.Value ?? 100;
        if (limit is < 1 or > MaxAuditLimit)
        {
            return ApiHttp.Error(RegistryError.Invalid("invalid_filter", $"limit must be 1..{MaxAuditLimit}, got {limit}"));
        }

        var before = ParseLong(q["before"].ToString(), "before");
        if (!before.IsOk)
        {
            return ApiHttp.Error(before.Error);
        }

        var entries = await store.ListAuditAsync(model, (int)limit, before.Value, context.RequestAborted).ConfigureAwait(false);
        return ApiHttp.Json(new AuditResponse(entries.Select(e =>
            new AuditEntryResponse(e.Id, e.At, e.Actor, e.Action, e.Model, e.Version, JsonDocument.Parse(e.Details).RootElement.Clone())).ToArray()));
    }

    private async Task<IResult> CreateTokenAsync(HttpContext context)
    {
        var caller = context.GetCaller();
        if (caller.RequireGlobalAdmin() is { } denied)
        {
            return ApiHttp.Error(denied);
        }

        var body = await ApiHttp.ReadJsonAsync<CreateTokenRequest>(context).ConfigureAwait(false);
        if (!body.IsOk)
        {
            return ApiHttp.Error(body.Error);
        }

        var valid = TokenRequests.Validate(body.Value.Name, body.Value.Role, body.Value.Models);
        if (!valid.IsOk)
        {
            return ApiHttp.Error(valid.Error);
        }

        var (name, role, models) = valid.Value;
        var secret = TokenSecrets.Generate();
        var token = await store.CreateTokenAsync(name, role, models, TokenSecrets.Hash(secret), caller.Name, context.RequestAborted).ConfigureAwait(false);
        return ApiHttp.Json(new CreatedTokenResponse(token.Id, token.Name, token.Role, token.Models, secret), StatusCodes.Status201Created);
    }

    /// <summary>Null when the parameter is absent; 400 <c>invalid_filter</c> when it is not a whole number.</summary>
    private static RegistryResult<long?> ParseLong(string text, string what) =>
        text.Length == 0 ? RegistryResult<long?>.Ok(null)
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : RegistryError.Invalid("invalid_filter", $"{what} must be a whole number, got '{text}'");
}
