using Microsoft.Extensions.Logging;
using Turbine.Samples;
using Turbine.Server;

namespace Turbine.Gateway.Tests.TestSupport;

/// <summary>One real Turbine server over the sample repository, shared by the edge tests.</summary>
public sealed class BackendFixture : IAsyncLifetime
{
    private string _repository = "";

    public TurbineServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _repository = Path.Combine(Path.GetTempPath(), "turbine-gw-edge-tests", Guid.NewGuid().ToString("N"));
        SampleRepository.Create(_repository);
        Server = await TurbineServer.StartAsync(
            new ServerOptions
            {
                Engine = new() { ModelRepository = _repository },
                HttpPort = 0,
                GrpcPort = 0,
                MetricsPort = 0,
                ShutdownTimeout = TimeSpan.FromSeconds(5),
            },
            l => l.SetMinimumLevel(LogLevel.Warning));
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_repository, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BackendCollection : ICollectionFixture<BackendFixture>
{
    public const string Name = "backend";
}
