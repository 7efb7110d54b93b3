using System.Net;
using Turbine.Gateway.Auth;

namespace Turbine.Gateway.Tests.Transforms;

/// <summary>KServe v1 <c>GET /v1/models</c> through the real gateway: its routes, the '*' pool's ready models, the caller's view.</summary>
public sealed class KserveV1ListTests
{
    [Fact]
    public async Task ListModels_NamedRoutesOnly_TheRoutesSorted()
    {
        await using var h = await GatewayHarness.StartServersAsync(1);
        await h.StartGatewayAsync($$"""
            pools:
              main:
                replicas: [{{h.Replica(0)}}]
            models:
              zeta: {pool: main}
              simple: {pool: main}
            """);

        using var response = await h.Http.GetAsync("v1/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"models\":[\"simple\",\"zeta\"]}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ListModels_StarRoute_AddsTheReadyModelsOfItsPool()
    {
        await using var h = await GatewayHarness.StartServersAsync(1, prepareRepository: (_, repo) => Turbine.Samples.SampleRepository.CreateModel(repo, "iris"));
        await h.StartGatewayAsync($$"""
            pools:
              main:
                replicas: [{{h.Replica(0)}}]
            models:
              "*": {pool: main}
              alias: {pool: main}
            """);

        Assert.Equal("{\"models\":[\"alias\",\"iris\",\"simple\"]}", await h.Http.GetStringAsync("v1/models"));
        Assert.Equal("{\"models\":[\"alias\",\"iris\",\"simple\"]}", await h.Http.GetStringAsync("v1/models/"));
        using var post = await h.Http.PostAsync("v1/models", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task ListModels_CallerLimitedToSomeModels_SeesOnlyThose()
    {
        const string key = "list-key";
        await using var h = await GatewayHarness.StartServersAsync(1, prepareRepository: (_, repo) => Turbine.Samples.SampleRepository.CreateModel(repo, "iris"));
        await h.StartGatewayAsync($$"""
            pools:
              main:
                replicas: [{{h.Replica(0)}}]
            models:
              "*": {pool: main}
              other: {pool: main}
            auth:
              apiKeys:
                - id: lister
                  hash: {{ApiKeyHasher.Hash(key)}}
                  models: [iris]
            """);

        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.Add("X-API-Key", key);
        using var response = await h.Http.SendAsync(request);
        using var anonymous = await h.Http.GetAsync("v1/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"models\":[\"iris\"]}", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
