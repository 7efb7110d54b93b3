using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Turbine.Samples;
using Turbine.Server;

namespace Turbine.Gateway.Tests;

/// <summary>Real in-process Turbine servers on free loopback ports and a real gateway in front of them.</summary>
public sealed class GatewayHarness : IAsyncDisposable
{
    private readonly List<string> _folders = [];

    private GatewayHarness(string configPath)
    {
        ConfigPath = configPath;
    }

    public List<TurbineServer> Servers { get; } = [];

    public GatewayHost? Gateway { get; private set; }

    public string ConfigPath { get; }

    public HttpClient Http { get; private set; } = null!;

    public static async Task<GatewayHarness> StartServersAsync(int count, Action<OpenTelemetry.Trace.TracerProviderBuilder>? tracing = null, Action<int, string>? prepareRepository = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "turbine-gw-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var harness = new GatewayHarness(Path.Combine(dir, "gateway.yaml"));
        harness._folders.Add(dir);
        // Servers[i] is the server of repository i (prepareRepository may make them differ).
        harness.Servers.AddRange(await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var repo = Path.Combine(dir, "repo" + i);
            SampleRepository.CreateModel(repo, "simple");
            prepareRepository?.Invoke(i, repo);
            var server = await TurbineServer.StartAsync(
                new ServerOptions { Engine = new() { ModelRepository = repo }, HttpPort = 0, GrpcPort = 0, MetricsPort = 0, ShutdownTimeout = TimeSpan.FromSeconds(5) },
                l => l.SetMinimumLevel(LogLevel.Warning),
                configureTracing: tracing);
            return server;
        })));
        return harness;
    }

    /// <summary>
    /// Gives <c>simple</c> in <paramref name="repository"/> a version 2 that answers differently (OUTPUT0 = INPUT0 - INPUT1,
    /// OUTPUT1 = INPUT0 + INPUT1: the outputs of version 1 swapped) and serves both versions.
    /// </summary>
    public static void AddSwappedVersion2(string repository)
    {
        var model = Path.Combine(repository, "simple");
        var onnx = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(model, "1", "model.onnx")));
        foreach (var node in onnx.Graph.Node)
        {
            node.Output[0] = node.Output[0] == "OUTPUT0" ? "OUTPUT1" : node.Output[0] == "OUTPUT1" ? "OUTPUT0" : node.Output[0];
        }

        Directory.CreateDirectory(Path.Combine(model, "2"));
        File.WriteAllBytes(Path.Combine(model, "2", "model.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(onnx));
        File.AppendAllText(Path.Combine(model, "config.pbtxt"), "\nversion_policy: { all: {} }\n");
    }

    /// <summary>A replica line of the config for server <paramref name="i"/>.</summary>
    public string Replica(int i) =>
        $"{{http: \"{Servers[i].HttpAddress.ToString().TrimEnd('/')}\", grpc: \"{Servers[i].GrpcAddress.ToString().TrimEnd('/')}\"}}";

    public async Task StartGatewayAsync(string yaml, int? seed = 1, Action<ILoggingBuilder>? logging = null)
    {
        await File.WriteAllTextAsync(ConfigPath, yaml);
        Gateway = await GatewayHost.StartAsync(new GatewayOptions
        {
            ConfigPath = ConfigPath,
            HttpPort = 0,
            GrpcPort = 0,
            RandomSeed = seed,
            ConfigPollInterval = TimeSpan.FromMilliseconds(100),
            ShutdownTimeout = TimeSpan.FromSeconds(5),
            ConfigureLogging = logging ?? (l => l.SetMinimumLevel(LogLevel.Warning)),
        });
        Http = new HttpClient { BaseAddress = Gateway.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Successful inferences of <c>simple</c> counted by server <paramref name="i"/> itself.</summary>
    public async Task<long> InferCountAsync(int i)
    {
        using var client = new HttpClient { BaseAddress = Servers[i].HttpAddress };
        using var doc = JsonDocument.Parse(await client.GetStringAsync("v2/models/simple/stats"));
        return doc.RootElement.GetProperty("model_stats").EnumerateArray()
            .Sum(s => s.GetProperty("inference_stats").GetProperty("success").GetProperty("count").GetInt64());
    }

    public async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> InferAsync(int offset = 0, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v2/models/simple/infer") { Content = new StringContent(SimpleJson(offset), Encoding.UTF8, "application/json") };
        configure?.Invoke(request);
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return ((int)response.StatusCode, doc.RootElement.Clone(), response);
    }

    public static string SimpleJson(int offset = 0) =>
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[" + string.Join(",", Enumerable.Range(offset, 16)) + "]}," +
        "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[" + string.Join(",", Enumerable.Repeat(1, 16)) + "]}]}";

    /// <summary>The running gateway's metrics (shadow counters and the like).</summary>
    internal global::Turbine.Gateway.Telemetry.GatewayMetrics Metrics =>
        (global::Turbine.Gateway.Telemetry.GatewayMetrics)Gateway!.Services.GetService(typeof(global::Turbine.Gateway.Telemetry.GatewayMetrics))!;

    /// <summary>
    /// Shadow of <c>simple</c> from server 0 (primary) to server 1 (pool <c>shadow</c>): both servers ran all
    /// <paramref name="count"/> inferences and the gateway recorded as many mirrored requests, with no errors or differences.
    /// </summary>
    public async Task AssertMirroredAsync(long count)
    {
        Assert.True(await EventuallyAsync(async () => await InferCountAsync(1) == count));
        Assert.Equal(count, await InferCountAsync(0));
        Assert.True(await EventuallyAsync(() => Task.FromResult(Metrics.ShadowCounts("simple", "shadow").Requests == count)));
        Assert.Equal((count, 0L, 0L, 0L), Metrics.ShadowCounts("simple", "shadow"));
    }

    /// <summary>Polls a condition until it holds or the deadline passes.</summary>
    public static Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan? timeout = null) =>
        Poll.UntilAsync(condition, timeout ?? TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(25));

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        foreach (var s in Servers)
        {
            await s.DisposeAsync();
        }

        foreach (var f in _folders)
        {
            try
            {
                Directory.Delete(f, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
