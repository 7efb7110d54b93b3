using System.Text.Json;
using Turbine.Samples;

namespace Turbine.EndToEnd.Tests;

/// <summary>
/// Three real <c>turbine serve</c> processes on loopback: replicas 0 and 1 serve <c>simple</c> version 1,
/// replica 2 serves the same model as version 2, so an answer's <c>model_version</c> tells which pool served it.
/// </summary>
public sealed class ReplicaSet : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "turbine-e2e-gw", Guid.NewGuid().ToString("N"));
    private readonly List<TurbineProcess> _processes = [];

    public List<(Uri Http, Uri Grpc)> Replicas { get; } = [];

    public string Root => _root;

    public async Task InitializeAsync()
    {
        var v1 = Path.Combine(_root, "v1");
        var v2 = Path.Combine(_root, "v2");
        SampleRepository.CreateModel(v1, "simple");
        SampleRepository.CreateModel(v2, "simple");
        Directory.Move(Path.Combine(v2, "simple", "1"), Path.Combine(v2, "simple", "2"));
        foreach (var repo in new[] { v1, v1, v2 })
        {
            _processes.Add(TurbineProcess.Start(["serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0", "--exit-timeout-secs", "5"]));
        }

        foreach (var p in _processes)
        {
            var http = await p.WaitForReadyAsync(TimeSpan.FromSeconds(90));
            Replicas.Add((http, p.GrpcAddress!));
        }
    }

    public TurbineProcess Process(int i) => _processes[i];

    /// <summary>The YAML flow mapping of replica <paramref name="i"/> (<paramref name="http"/> overrides its REST address).</summary>
    public string Yaml(int i, Uri? http = null) =>
        $"{{http: \"{(http ?? Replicas[i].Http).ToString().TrimEnd('/')}\", grpc: \"{Replicas[i].Grpc.ToString().TrimEnd('/')}\"}}";

    /// <summary>Successful inferences of <c>simple</c> counted by replica <paramref name="i"/> itself (its statistics endpoint).</summary>
    public async Task<long> InferCountAsync(int i)
    {
        using var client = new HttpClient { BaseAddress = Replicas[i].Http };
        using var doc = JsonDocument.Parse(await client.GetStringAsync("v2/models/simple/stats"));
        return doc.RootElement.GetProperty("model_stats").EnumerateArray()
            .Sum(s => s.GetProperty("inference_stats").GetProperty("success").GetProperty("count").GetInt64());
    }

    public async Task DisposeAsync()
    {
        foreach (var p in _processes)
        {
            await p.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
