using Grpc.Core;
using Turbine.Client;
using Turbine.Gateway.Auth;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Auth;

/// <summary>gRPC requests through the edge: refusals come back as gRPC status codes with the reason.</summary>
[Collection(BackendCollection.Name)]
public sealed class GrpcAuthTests(BackendFixture backend) : IAsyncLifetime
{
    private const string Key = "grpc-key-1";
    private readonly TempFolder _folder = new();
    private EdgeHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await EdgeHost.StartAsync(backend.Server, YamlConfig.Load($"""
            auth:
              apiKeys:
                - id: grpc-caller
                  hash: {ApiKeyHasher.Hash(Key)}
                  models: [simple]
            """, _folder.Path));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task ModelInfer_NoCredential_Unauthenticated()
    {
        using var client = GrpcClients.Create(_host.GrpcAddress, new Dictionary<string, string> { ["x-test-model"] = "simple" });

        var error = await Assert.ThrowsAsync<TurbineClientException>(() => client.InferAsync("simple", GrpcClients.SimpleInputs()));

        Assert.Equal(StatusCode.Unauthenticated, error.GrpcStatusCode);
        Assert.StartsWith("missing credential", error.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelInfer_ForbiddenModel_PermissionDenied()
    {
        using var client = GrpcClients.Create(
            _host.GrpcAddress, new Dictionary<string, string> { ["x-test-model"] = "iris", ["authorization"] = "Bearer " + Key });

        var error = await Assert.ThrowsAsync<TurbineClientException>(() => client.InferAsync("iris", GrpcClients.SimpleInputs()));

        Assert.Equal(StatusCode.PermissionDenied, error.GrpcStatusCode);
        Assert.Equal("caller 'grpc-caller' may not use model 'iris'", error.ServerMessage);
    }

    [Fact]
    public async Task ModelInfer_GoodKey_ServerAnswers()
    {
        using var client = GrpcClients.Create(
            _host.GrpcAddress, new Dictionary<string, string> { ["x-test-model"] = "simple", ["x-api-key"] = Key });

        var result = await client.InferAsync("simple", GrpcClients.SimpleInputs());

        Assert.Equal(Enumerable.Range(1, 16), result.GetOutput("OUTPUT0").AsArray<int>());
    }

    [Fact]
    public async Task ServerReady_NoCredential_AllowedAsHealthProbe()
    {
        using var client = GrpcClients.Create(_host.GrpcAddress, new Dictionary<string, string>());

        Assert.True(await client.IsReadyAsync());
        Assert.True(await client.IsLiveAsync());
    }

    [Fact]
    public async Task ModelMetadata_NoCredential_Unauthenticated()
    {
        using var client = GrpcClients.Create(_host.GrpcAddress, new Dictionary<string, string> { ["x-test-model"] = "simple" });

        var error = await Assert.ThrowsAsync<TurbineClientException>(() => client.GetModelMetadataAsync("simple"));

        Assert.Equal(StatusCode.Unauthenticated, error.GrpcStatusCode);
    }

    [Fact]
    public async Task ModelInfer_BadKey_UnauthenticatedWithReason()
    {
        using var client = GrpcClients.Create(
            _host.GrpcAddress, new Dictionary<string, string> { ["x-test-model"] = "simple", ["x-api-key"] = "wrong" });

        var error = await Assert.ThrowsAsync<TurbineClientException>(() => client.InferAsync("simple", GrpcClients.SimpleInputs()));

        Assert.Equal(StatusCode.Unauthenticated, error.GrpcStatusCode);
        Assert.Equal("invalid API key", error.ServerMessage);
    }
}
