using Microsoft.Extensions.DependencyInjection;
using Turbine.Client;
using Turbine.Core;
using Turbine.Core.Lifecycle;
using Turbine.Features.Definitions;
using Turbine.Features.Enrichment;
using Turbine.Features.Materialization;
using Turbine.Features.Online;
using Turbine.Features.Server;
using Turbine.Features.Serving;
using Turbine.Features.Sources;
using Turbine.Samples;
using Turbine.Server;

namespace Turbine.Features.Tests;

/// <summary>
/// A real server with the sample iris model (input FP32 [-1, 4]) enriched from a feature repository of iris
/// measurements keyed by flower id: clients send flower ids over REST and gRPC, the model gets the measurements.
/// </summary>
public sealed class ServingEnrichmentTests : IAsyncLifetime
{
    private static readonly DateTime T = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly float[][] Flowers = [[5.1f, 3.5f, 1.4f, 0.2f], [6.7f, 3.0f, 5.2f, 2.3f], [5.9f, 3.0f, 4.2f, 1.5f]];

    private const string Yaml = """
        project: iris
        entities:
          - { name: flower, join_key: flower_id, value_type: int64 }
        sources:
          - { name: measurements, path: data/iris.parquet }
        feature_views:
          - name: iris
            entities: [flower]
            source: measurements
            schema:
              - { name: sepal_length, dtype: float32 }
              - { name: sepal_width, dtype: float32 }
              - { name: petal_length, dtype: float32 }
              - { name: petal_width, dtype: float32 }
        feature_services:
          - { name: iris_v1, features: [iris] }
        """;

    private readonly TempFolder _repoFolder = new("turbine-iris-features");
    private readonly string _models = Path.Combine(Path.GetTempPath(), "turbine-tests", Guid.NewGuid().ToString("N"));
    private readonly FeatureMetrics _metrics = new();
    private IOnlineStore _store = null!;
    private TurbineServer _server = null!;

    public async Task InitializeAsync()
    {
        File.WriteAllText(_repoFolder.File("feature_store.yaml"), Yaml);
        Directory.CreateDirectory(_repoFolder.File("data"));
        string[] names = ["sepal_length", "sepal_width", "petal_length", "petal_width"];
        await ParquetTable.WriteAsync(_repoFolder.File("data/iris.parquet"),
        [
            new TableColumn("flower_id", FeatureType.Int64, [1L, 2L, 3L]),
            new TableColumn("event_timestamp", FeatureType.UnixTimestamp, [T, T, T]),
            .. names.Select((n, i) => new TableColumn(n, FeatureType.Float32, Flowers.Select(f => (object?)f[i]).ToArray())),
        ]);
        var repo = FeatureRepoLoader.Load(_repoFolder.Path);
        _store = new SqliteOnlineStore(repo.OnlineStore.Path!, repo.Project);
        await new Materializer(repo, _store).MaterializeAsync(T.AddDays(-1), T.AddDays(1));
        var spec = EnrichmentSpec.Parse("feature_service: iris_v1\ninput: { name: input, datatype: FP32 }\n");
        var enricher = new FeatureRequestEnricher(new Dictionary<string, FeatureEnricher> { ["iris"] = new(new OnlineFeatureService(repo, _store), spec) }, _metrics);

        SampleRepository.Create(_models);
        _server = await TurbineServer.StartAsync(
            new ServerOptions
            {
                Engine = new() { ModelRepository = _models, ControlMode = ModelControlMode.Explicit, StartupModels = ["iris"] },
                HttpPort = 0,
                GrpcPort = 0,
                MetricsPort = 0,
                ShutdownTimeout = TimeSpan.FromSeconds(10),
            },
            configureServices: s => s.AddSingleton<IRequestEnricher>(enricher));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _store.DisposeAsync();
        _metrics.Dispose();
        _repoFolder.Dispose();
        Directory.Delete(_models, recursive: true);
    }

    private static InferInput Ids(params long[] ids) => new InferInput("flower_id", [ids.Length], "INT64").SetData(ids);

    [Fact]
    public async Task RestAndGrpc_EntityIdsInFeatureVectorOut_SameAsSendingTheVector()
    {
        using var http = new TurbineHttpClient(_server.HttpAddress);
        using var grpc = new TurbineGrpcClient(_server.GrpcAddress);
        var direct = await http.InferAsync("iris", [new InferInput("input", [2, 4], "FP32").SetData(Flowers[1].Concat(Flowers[2]).ToArray())]);
        var expected = direct.GetOutput("probabilities").AsArray<float>();

        var viaRest = await http.InferAsync("iris", [Ids(2, 3)]);
        var viaGrpc = await grpc.InferAsync("iris", [Ids(2, 3)]);
        Assert.Equal(expected, viaRest.GetOutput("probabilities").AsArray<float>());
        Assert.Equal(expected, viaGrpc.GetOutput("probabilities").AsArray<float>());
        Assert.Equal(6, expected.Length);
    }

    [Fact]
    public async Task UnknownFlower_NoDefault_IsInvalidArgumentNamingIt()
    {
        using var http = new TurbineHttpClient(_server.HttpAddress);
        var e = await Assert.ThrowsAsync<TurbineClientException>(() => http.InferAsync("iris", [Ids(1, 99)]));
        Assert.Equal(400, e.StatusCode);
        Assert.Contains("feature 'iris:sepal_length' is NOT_FOUND for entity row 1 and has no default", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoreDown_Is503AndCounted_ServerStaysReady()
    {
        var repo = FeatureRepoLoader.Load(_repoFolder.Path);
        await using var down = await RedisOnlineStore.ConnectAsync($"127.0.0.1:{Loopback.FreePort()}", repo.Project, timeout: TimeSpan.FromMilliseconds(300));
        using var metrics = new FeatureMetrics();
        var spec = EnrichmentSpec.Parse("feature_service: iris_v1\ninput: { name: input, datatype: FP32 }\n");
        var enricher = new FeatureRequestEnricher(new Dictionary<string, FeatureEnricher> { ["iris"] = new(new OnlineFeatureService(repo, down), spec) }, metrics);
        await using var server = await TurbineServer.StartAsync(
            new ServerOptions
            {
                Engine = new() { ModelRepository = _models, ControlMode = ModelControlMode.Explicit, StartupModels = ["iris"] },
                HttpPort = 0,
                GrpcPort = 0,
                MetricsPort = 0,
                ShutdownTimeout = TimeSpan.FromSeconds(10),
            },
            configureServices: s => s.AddSingleton<IRequestEnricher>(enricher));
        using var http = new TurbineHttpClient(server.HttpAddress);
        var e = await Assert.ThrowsAsync<TurbineClientException>(() => http.InferAsync("iris", [Ids(1)]));
        Assert.Equal(503, e.StatusCode);
        Assert.Contains("redis online store", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, metrics.StoreUnavailableTotal);
        Assert.True(await http.IsReadyAsync());
        var plain = await http.InferAsync("iris", [new InferInput("input", [1, 4], "FP32").SetData(Flowers[0])]);
        Assert.Equal(3, plain.GetOutput("probabilities").AsArray<float>().Length);
    }

    /// <summary>The payload log records the feature vector the model was served, not the ids: what training replays.</summary>
    [Fact]
    public async Task PayloadLog_RecordsTheServedVector()
    {
        var repo = FeatureRepoLoader.Load(_repoFolder.Path);
        var spec = EnrichmentSpec.Parse("feature_service: iris_v1\ninput: { name: input, datatype: FP32 }\n");
        var enricher = new FeatureRequestEnricher(new Dictionary<string, FeatureEnricher> { ["iris"] = new(new OnlineFeatureService(repo, _store), spec) });
        File.AppendAllText(Path.Combine(_models, "iris", "config.pbtxt"), "\nparameters { key: \"payload_log\" value: { string_value: \"all\" } }\n");
        using var logs = new TempFolder("turbine-payloads");
        var server = await TurbineServer.StartAsync(
            new ServerOptions
            {
                Engine = new() { ModelRepository = _models, ControlMode = ModelControlMode.Explicit, StartupModels = ["iris"] },
                HttpPort = 0,
                GrpcPort = 0,
                MetricsPort = 0,
                ShutdownTimeout = TimeSpan.FromSeconds(10),
                PayloadLogDirectory = logs.Path,
            },
            configureServices: s => s.AddSingleton<IRequestEnricher>(enricher));
        await using (server)
        {
            using var http = new TurbineHttpClient(server.HttpAddress);
            await http.InferAsync("iris", [Ids(2)], options: new InferOptions { RequestId = "served-2" });
        }

        var record = Directory.EnumerateFiles(logs.Path, "*", SearchOption.AllDirectories).SelectMany(File.ReadAllLines)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).Single(r => r.GetProperty("id").GetString() == "served-2");
        var input = record.GetProperty("inputs").EnumerateArray().Single();
        Assert.Equal("input", input.GetProperty("name").GetString());
        Assert.Equal("[1,4]", input.GetProperty("shape").GetRawText());
        Assert.Contains("6.7", input.GetRawText(), StringComparison.Ordinal);
    }
}
