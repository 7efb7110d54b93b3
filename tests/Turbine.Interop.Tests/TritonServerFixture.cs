using Grpc.Net.Client;
using Inference;

namespace Turbine.Interop.Tests;

/// <summary>
/// One real <c>turbine serve</c> process over the sample repository (created with <c>turbine samples create</c>), shared by
/// the tests of a class, and a gRPC channel to it for the client generated from Triton's protos.
/// </summary>
public class TritonServerFixture : IAsyncLifetime
{
    private TurbineProcess? _server;

    public string Repository { get; } = Path.Combine(Path.GetTempPath(), "turbine-interop-" + Guid.NewGuid().ToString("N"));

    public Uri Http { get; private set; } = null!;

    public Uri Grpc { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>The stub generated from Triton's grpc_service.proto, exactly as tritonclient's is.</summary>
    public GRPCInferenceService.GRPCInferenceServiceClient Client { get; private set; } = null!;

    public HttpClient HttpClient { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Extra arguments for <c>turbine serve</c> (a derived fixture sets them).</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    public string Output => _server?.Output ?? "";

    public async Task InitializeAsync()
    {
        var (code, output) = await TurbineProcess.RunAsync("samples", "create", Repository);
        if (code != 0)
        {
            throw new InvalidOperationException("samples create failed: " + output);
        }

        _server = TurbineProcess.Start(
            ["serve", "--model-repository", Repository, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0", .. ExtraArguments]);
        Http = await _server.WaitForReadyAsync(TimeSpan.FromSeconds(90));
        Grpc = _server.GrpcAddress!;
        HttpClient.BaseAddress = Http;
        Channel = GrpcChannel.ForAddress(Grpc);
        Client = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        HttpClient.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(Repository, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
