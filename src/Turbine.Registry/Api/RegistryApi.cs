using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Turbine.Registry.Artifacts;
using Turbine.Registry.Domain;
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
