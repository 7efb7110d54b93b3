using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Turbine.Client.Registry;
using Turbine.Control.Api;
using Turbine.Control.Specs;
using Turbine.Monitoring.Profiles;
using Turbine.Monitoring.Registry;

namespace Turbine.Control.Dashboard;

/// <summary>
/// Try-it explanations: one KernelSHAP explanation of the instance the form holds, from the server's explain route
/// through the gateway (KServe v1 <c>POST /v1/models/{m}:explain</c>, docs/explain.md). When the request names no
/// background, the dashboard builds one from the reference profile stored with the deployment's stable registry version
/// (its card, written by <c>monitor baseline</c> or <c>models push --reference</c>), so a replica that does not monitor
/// the model can still explain it; without a profile the server's own (its monitoring profile, or its 400) applies.
/// </summary>
internal sealed partial class DashboardApi
{
    /// <summary>Background rows built from a profile (the server builds as many from its own).</summary>
    internal const int BackgroundRows = 20;

    private void MapExplain(RouteGroupBuilder api) =>
        api.MapPost("/tryit/{deployment}/{model}/explain", async (string deployment, string model, HttpContext c) =>
            await ReadBodyAsync(c, MaxWriteBody).ConfigureAwait(false) is { } body
                ? await ExplainAsync(c, deployment, model, body).ConfigureAwait(false)
                : BodyTooLarge());

    private async Task<IResult> ExplainAsync(HttpContext context, string deployment, string model, byte[] body)
    {
        var caller = context.GetCaller();
        if (!MayTry(caller, deployment, model))
        {
            return ControlHttp.Forbidden($"token '{caller.Name}' is limited to '{caller.Deployments}'; '{(deployment == DashboardOptions.GatewayDeployment ? model : deployment)}' is outside it");
        }

        if (!ModelsOf(deployment).Contains(model, StringComparer.Ordinal))
        {
            return ControlHttp.Error(StatusCodes.Status404NotFound, "not_found",
                $"deployment '{deployment}' does not route a model named '{(model.Length > 80 ? model[..80] + "…" : model)}'");
        }

        if (plane()?.Gateway?.HttpAddress is not { } gateway)
        {
            return ControlHttp.Error(StatusCodes.Status503ServiceUnavailable, "unavailable", "the gateway is not started yet; try again");
        }

        JsonObject request;
        try
        {
            request = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 16 }) as JsonObject
                ?? throw new JsonException("expected a JSON object");
        }
        catch (JsonException e)
        {
            return ControlHttp.Error(StatusCodes.Status400BadRequest, "invalid_json", $"the explain request must be {{\"instances\": [[...]]}}: {e.Message}");
        }

        if (request["instances"] is not JsonArray)
        {
            return ControlHttp.Error(StatusCodes.Status400BadRequest, "invalid_request", "the explain request needs \"instances\": an array of rows of numbers");
        }

        string backgroundSource = "the server's (its monitoring profile)";
        string[]? featureNames = null;
        if (request["background"] is null)
        {
            var (profile, source) = await ProfileOfAsync(context, deployment, model).ConfigureAwait(false);
            if (profile is not null && BackgroundFrom(profile) is { } rows)
            {
                request["background"] = new JsonArray([.. rows.Select(r => new JsonArray([.. r.Select(v => JsonValue.Create(v))]))]);
                featureNames = [.. profile.Features.Select(f => f.Name)];
                backgroundSource = $"{rows.Length} rows from the reference profile of {source} in the registry";
            }
        }
        else
        {
            backgroundSource = "the request's";
        }

        var auth = caller.FromRegistry ? context.Request.Headers.Authorization.ToString() : null;
        var answer = await upstreams.SendAsync("gateway", HttpMethod.Post, new Uri(Base(gateway), $"v1/models/{Escape(model)}:explain"), auth,
            Encoding.UTF8.GetBytes(request.ToJsonString()), context.RequestAborted).ConfigureAwait(false);
        if (answer.Error is { } error)
        {
            return error;
        }

        if (answer.Status != StatusCodes.Status200OK || JsonNode.Parse(answer.Body!) is not JsonObject explanation)
        {
            return new DashboardUpstreams.JsonBytesResult(answer.Body!, answer.Status);
        }

        // The server names features f0… unless it monitors the model; the profile the background came from names them.
        if (featureNames is not null && explanation["data"]?["feature_names"] is JsonArray names && names.Count == featureNames.Length)
        {
            explanation["data"]!["feature_names"] = new JsonArray([.. featureNames.Select(n => JsonValue.Create(n))]);
        }

        explanation["turbine"] = new JsonObject { ["background"] = backgroundSource };
        return Results.Text(explanation.ToJsonString(), "application/json; charset=utf-8");
    }

    /// <summary>The reference profile stored with the deployment's stable registry version, and that version's reference; (null, null) when there is none.</summary>
    private async Task<(ReferenceProfile? Profile, string? Source)> ProfileOfAsync(HttpContext context, string deployment, string model)
    {
        if (upstreams.Registry is not { } registry
            || controller.GetStatus(deployment)?.Stable?.Version is not { Length: > 0 } version
            || await store.GetAsync(deployment, context.RequestAborted).ConfigureAwait(false) is not { IsOk: true } found
            || found.Value!.Spec.Predictor.Model.StorageUri is not RegistryStorageUri uri
            || (uri.Model != model && ModelsOf(deployment).Count != 1))
        {
            return (null, null);
        }

        var reference = string.Create(CultureInfo.InvariantCulture, $"{uri.Model}:{version}");
        var authorization = UpstreamAuthorization(context);
        var token = authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(options.Dashboard.UpstreamTimeout);
        try
        {
            using var client = new RegistryClient(registry, token);
            return (await ProfileRegistry.LoadAsync(client, reference, deadline.Token).ConfigureAwait(false), reference);
        }
        catch (Exception e) when (e is RegistryException or HttpRequestException or InvalidOperationException or JsonException or OperationCanceledException
            && !context.RequestAborted.IsCancellationRequested)
        {
            return (null, null); // no profile to use: the server's own background applies, or its 400 says what to do
        }
    }

    /// <summary>Up to <see cref="BackgroundRows"/> rows: each feature's reference values at evenly spaced positions (as the server builds them); null when a feature has none.</summary>
    internal static double[][]? BackgroundFrom(ReferenceProfile profile)
    {
        var samples = profile.Features.Select(f => f.Sample ?? []).ToArray();
        if (samples.Length == 0 || samples.Any(s => s.Length == 0))
        {
            return null;
        }

        var rows = Math.Min(BackgroundRows, samples.Min(s => s.Length));
        return [.. Enumerable.Range(0, rows).Select(r => samples.Select(s => s[(int)((r + 0.5) * s.Length / rows)]).ToArray())];
    }
}
