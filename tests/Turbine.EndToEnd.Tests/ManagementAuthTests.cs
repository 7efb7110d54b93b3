using Turbine.Client;

namespace Turbine.EndToEnd.Tests;

/// <summary>
/// Management-endpoint authentication on real <c>turbine serve</c> and <c>turbine up</c> processes bound to 0.0.0.0:
/// the token comes from a file (never on the command line), calls without it are refused, calls with it work,
/// and inference keeps serving.
/// </summary>
public sealed class ManagementAuthTests : IDisposable
{
    private const string Token = "e2e-management-token-abcdef0123456789";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "turbine-e2e", Guid.NewGuid().ToString("N"));

    public ManagementAuthTests()
    {
        Directory.CreateDirectory(_root);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Serve_AllInterfacesWithTokenFile_RefusesWithoutTokenAllowsWithIt()
    {
        var repo = Path.Combine(_root, "repo");
        Assert.Equal(0, (await TurbineProcess.RunAsync("samples", "create", repo)).ExitCode);
        var tokenFile = await WriteTokenFileAsync();
        await using var server = TurbineProcess.Start(["serve", "--model-repository", repo, "--host", "0.0.0.0", "--http-port", "0", "--grpc-port", "0",
            "--metrics-port", "0", "--model-control-mode", "explicit", "--load-model", "simple", "--management-token-file", tokenFile]);
        var url = await server.WaitForReadyAsync(TimeSpan.FromSeconds(120));

        using var anonymous = new TurbineHttpClient(url);
        var refused = await Assert.ThrowsAsync<TurbineClientException>(() => anonymous.LoadModelAsync("iris"));
        Assert.Equal(401, refused.StatusCode);
        Assert.Contains("Authorization: Bearer", refused.Message);
        using var grpcAnonymous = new TurbineGrpcClient(server.GrpcAddress!);
        var grpcRefused = await Assert.ThrowsAsync<TurbineClientException>(() => grpcAnonymous.UnloadModelAsync("simple"));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, grpcRefused.GrpcStatusCode);
        Assert.True(await anonymous.IsModelReadyAsync("simple"));
        Assert.False(await anonymous.IsModelReadyAsync("iris"));

        using var admin = new TurbineHttpClient(url, bearerToken: Token);
        await admin.LoadModelAsync("iris");
        Assert.True(await anonymous.IsModelReadyAsync("iris"));
        var result = await anonymous.InferAsync("simple", [
            new InferInput("INPUT0", [1, 16], "INT32").SetData(Enumerable.Range(0, 16).ToArray()),
            new InferInput("INPUT1", [1, 16], "INT32").SetData(Enumerable.Repeat(1, 16).ToArray()),
        ]);
        Assert.Equal(16, result.GetOutput("OUTPUT0").AsArray<int>()[15]);
        Assert.DoesNotContain(Token, server.Output);
    }

    [Fact]
    public async Task Up_AllInterfacesWithTokenFile_GatewayPassesTokenThrough()
    {
        var home = Path.Combine(_root, "home");
        var tokenFile = await WriteTokenFileAsync();
        await using var up = TurbineProcess.Start(["up", "--host", "0.0.0.0", "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0", "--registry-port", "0", "--control-port", "0",
            "--model-control-mode", "explicit", "--load-model", "simple", "--management-token-file", tokenFile],
            new Dictionary<string, string> { ["TURBINE_HOME"] = home });
        var (url, _) = await up.WaitForGatewayReadyAsync(TimeSpan.FromSeconds(120));

        using var anonymous = new TurbineHttpClient(url);
        var refused = await Assert.ThrowsAsync<TurbineClientException>(() => anonymous.LoadModelAsync("iris"));
        Assert.Equal(401, refused.StatusCode);

        using var admin = new TurbineHttpClient(url, bearerToken: Token);
        await admin.LoadModelAsync("iris");
        Assert.True(await anonymous.IsModelReadyAsync("iris"));
        await admin.UnloadModelAsync("iris");
        Assert.True(await anonymous.IsModelReadyAsync("simple"));
    }

    private async Task<string> WriteTokenFileAsync()
    {
        var path = Path.Combine(_root, "management-token");
        await File.WriteAllTextAsync(path, Token + "\n");
        return path;
    }
}
