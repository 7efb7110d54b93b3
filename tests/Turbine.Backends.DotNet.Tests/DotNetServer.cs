using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Turbine.Backends.Onnx;
using Turbine.Core.Lifecycle;
using Turbine.Protocol.Grpc;
using Turbine.Server;

namespace Turbine.Backends.DotNet.Tests;

/// <summary>A real server on free loopback ports over a temp repository of .NET models (explicit control mode).</summary>
public sealed class DotNetServer : IAsyncDisposable
{
    private readonly TempFolder _repository;

    private DotNetServer(TempFolder repository, TurbineServer server, DotNetBackend backend)
    {
        _repository = repository;
        Server = server;
        Backend = backend;
        Http = new HttpClient { BaseAddress = server.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
        Channel = GrpcChannel.ForAddress(server.GrpcAddress);
        Grpc = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);
    }

    public TurbineServer Server { get; }

    public DotNetBackend Backend { get; }

    public HttpClient Http { get; }

    public GrpcChannel Channel { get; }

    public GRPCInferenceService.GRPCInferenceServiceClient Grpc { get; }

    public string Repository => _repository.Path;

    /// <summary>Writes a model folder: config.pbtxt and version 1 holding the assembly build output.</summary>
    public static void AddModel(string repository, string name, string assemblyFolder, string config, long version = 1)
    {
        var folder = Path.Combine(repository, name);
        ModelBuild.CopyFolder(assemblyFolder, Path.Combine(folder, version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        File.WriteAllText(Path.Combine(folder, "config.pbtxt"), $"name: \"{name}\"\nbackend: \"dotnet\"\n{config}\n");
    }

    public static async Task<DotNetServer> StartAsync(Action<string> prepare, IReadOnlyList<string> startupModels)
    {
        var repository = new TempFolder("turbine-dotnet-repo");
        prepare(repository.Path);
        var backend = new DotNetBackend();
        var options = new ServerOptions
        {
            Engine = new() { ModelRepository = repository.Path, ControlMode = ModelControlMode.Explicit, StartupModels = startupModels },
            HttpPort = 0,
            GrpcPort = 0,
            MetricsPort = 0,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
        };
        var server = await TurbineServer.StartAsync(options, l => l.SetMinimumLevel(LogLevel.Warning), backends: [new OnnxBackend(), backend]);
        return new DotNetServer(repository, server, backend);
    }

    public async Task<(int Status, JsonElement Body)> PostJsonAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return ((int)response.StatusCode, doc.RootElement.Clone());
    }

    /// <summary>A REST infer with one FP32 input INPUT0 of shape [1, n].</summary>
    public Task<(int Status, JsonElement Body)> InferFp32Async(string model, params float[] values) =>
        PostJsonAsync($"/v2/models/{model}/infer",
            $"{{\"inputs\":[{{\"name\":\"INPUT0\",\"shape\":[1,{values.Length}],\"datatype\":\"FP32\",\"data\":[{string.Join(",", values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]}}]}}");

    public static float[] Floats(JsonElement body, string output = "OUTPUT0") =>
        [.. body.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == output)
            .GetProperty("data").EnumerateArray().Select(e => e.GetSingle())];

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        await Server.DisposeAsync();
        _repository.Dispose();
    }

    /// <summary>Collects until every weak reference is dead or the deadline passes; true when all are dead.</summary>
    public static async Task<bool> CollectedAsync(IEnumerable<WeakReference> references, TimeSpan timeout) =>
        await Poll.UntilAsync(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return references.All(r => !r.IsAlive);
        }, timeout, TimeSpan.FromMilliseconds(50));
}
