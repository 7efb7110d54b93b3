using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Turbine.Registry.Artifacts;
using Turbine.Registry.Domain;
using Turbine.Registry.Security;
using Turbine.Registry.Storage;

namespace Turbine.Registry.Api;

/// <summary>The REST API of docs/registry.md, mapped on <c>/api/v1</c>. Partial files split it by resource.</summary>
internal sealed partial class RegistryApi(IRegistryStore store, IArtifactStore artifacts, RegistryOptions options, Telemetry.RegistryMetrics? metrics = null)
{
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => ApiHttp.Json(new HealthResponse("ok"))).Produces<HealthResponse>();
        var api = app.MapGroup("/api/v1");
        MapModels(api);
        MapVersions(api);
        MapArtifacts(api);
        MapAdmin(api);
    }

    /// <summary>
    /// The JSON body once the caller holds <paramref name="role"/> (for <paramref name="model"/> when given): 403 before
    /// the body is read, 400 or 413 for a body that is not what <typeparamref name="T"/> needs.
    /// </summary>
    private static async Task<RegistryResult<T>> ReadJsonAsAsync<T>(HttpContext context, Caller caller, TokenRole role, string? model = null)
        where T : class =>
        caller.Require(role, model) is { } denied ? denied : await ApiHttp.ReadJsonAsync<T>(context).ConfigureAwait(false);

    private async Task<RegistryResult<RegisteredModel>> RequireModelAsync(string name, CancellationToken cancellationToken) =>
        await store.GetModelAsync(name, cancellationToken).ConfigureAwait(false) is { } model
            ? model
            : RegistryError.NotFound($"model '{name}' not found");

    private async Task<RegistryResult<ModelVersion>> RequireVersionAsync(string name, long version, CancellationToken cancellationToken)
    {
        var found = await store.GetVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        if (found is not null)
        {
            return found;
        }

        var model = await RequireModelAsync(name, cancellationToken).ConfigureAwait(false);
        return model.IsOk ? RegistryError.NotFound($"model '{name}' has no version {version}") : model.Error;
    }
}
