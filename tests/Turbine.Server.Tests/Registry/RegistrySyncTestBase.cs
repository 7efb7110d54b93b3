using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Backends.Onnx;
using Turbine.Client.Registry;
using Turbine.Core;
using Turbine.Core.Lifecycle;
using Turbine.Server.Registry;

namespace Turbine.Server.Tests.Registry;

/// <summary>
/// A real registry server, a client for it, and RegistrySync as the model source of the real engine (ONNX Runtime)
/// over a cache folder: what the registry-serving tests share. Everything started is disposed in reverse order.
/// </summary>
public abstract class RegistrySyncTestBase : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    private protected RegistryHarness Registry { get; private set; } = null!;

    private protected RegistryClient Client { get; private set; } = null!;

    private protected string Cache { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Registry = await RegistryHarness.StartAsync();
        Client = new RegistryClient(Registry.Url);
        Cache = Path.Combine(Registry.Directory, "cache");
    }

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        Client.Dispose();
        await Registry.DisposeAsync();
    }

    /// <summary>An engine in explicit mode with a sync following <paramref name="references"/> as its source, both started.</summary>
    private protected async Task<(InferenceEngine Engine, RegistrySync Sync)> StartSyncAsync(IReadOnlyList<string> references, TimeProvider? time = null,
        Random? random = null, TimeSpan? maxBackoff = null)
    {
        var options = new RegistryServingOptions
        {
            Url = Registry.Url,
            Models = references,
            CacheDirectory = Cache,
            PollInterval = TimeSpan.FromSeconds(1),
        };
        if (maxBackoff is { } backoff)
        {
            options = options with { MaxBackoff = backoff };
        }

        var sync = new RegistrySync(options, time ?? TimeProvider.System, NullLogger.Instance, random);
        _owned.Add(sync);
        var engine = new InferenceEngine(new EngineOptions { ModelRepository = options.RepositoryDirectory, ControlMode = ModelControlMode.Explicit }, [new OnnxBackend()], NullLogger.Instance, source: sync);
        _owned.Add(engine);
        await engine.StartAsync(CancellationToken.None);
        return (engine, sync);
    }

    /// <summary>Registers a new version of <paramref name="model"/> (an adder of <paramref name="addend"/>), optionally moved to <paramref name="stage"/>.</summary>
    private protected async Task<long> PushAsync(string model, float addend, string? stage = null)
    {
        if (await Client.FindModelAsync(model) is null)
        {
            await Client.CreateModelAsync(new NewRegisteredModel { Name = model });
        }

        var file = AddModel.Write(Path.Combine(Registry.Directory, "models", Guid.NewGuid().ToString("N")), addend);
        var version = await Client.CreateVersionAsync(model, new NewModelVersion { Artifact = await Client.UploadAsync(file) });
        if (stage is not null)
        {
            await Client.TransitionStageAsync(model, version.Version, stage, archiveExisting: true);
        }

        return version.Version;
    }

    private protected static long[] Serving(InferenceEngine engine, string model) => [.. engine.GetServingVersions(model).Select(v => v.Version)];
}
