using System.Text;
using System.Text.Json;

namespace Turbine.EndToEnd.Tests;

/// <summary>A real <c>turbine gateway</c> process on free loopback ports with a config written for the test.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly TurbineProcess _process;

    private GatewayProcess(TurbineProcess process, Uri http, Uri grpc)
    {
        _process = process;
        Http = http;
        Grpc = grpc;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = http, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Http { get; }

    public Uri Grpc { get; }

    public HttpClient Client { get; }

    public string Output => _process.Output;

    public static async Task<GatewayProcess> StartAsync(string folder, string yaml)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"gateway-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, yaml);
        var process = TurbineProcess.Start(["gateway", "--config", path, "--port", "0", "--grpc-port", "0", "--exit-timeout-secs", "5"]);
        var (http, grpc) = await process.WaitForGatewayReadyAsync(TimeSpan.FromSeconds(60));
        return new GatewayProcess(process, http, grpc);
    }

    /// <summary>One JSON inference of <c>simple</c>; returns the status and the answer's <c>model_version</c> (null on error).</summary>
    public async Task<(int Status, string? Version)> InferAsync(int offset = 0, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v2/models/simple/infer") { Content = new StringContent(SimpleJson(offset), Encoding.UTF8, "application/json") };
        configure?.Invoke(request);
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            return ((int)response.StatusCode, null);
        }

        using var doc = JsonDocument.Parse(text);
        var sum = doc.RootElement.GetProperty("outputs")[0].GetProperty("data")[0].GetInt32();
        return sum == offset + 1 ? (200, doc.RootElement.GetProperty("model_version").GetString()) : (-1, null);
    }

    /// <summary>Runs <paramref name="count"/> inferences on <paramref name="workers"/> concurrent callers; returns each answer's (status, version).</summary>
    public async Task<List<(int Status, string? Version)>> LoadAsync(int count, int workers, Func<int, Task>? onProgress = null)
    {
        var results = new (int, string?)[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    results[i] = await InferAsync(i % 1000);
                }
                catch (HttpRequestException)
                {
                    results[i] = (0, null);
                }

                if (onProgress is not null)
                {
                    await onProgress(i);
                }
            }
        }));
        return [.. results];
    }

    public static string SimpleJson(int offset) =>
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[" + string.Join(",", Enumerable.Range(offset, 16)) + "]}," +
        "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[" + string.Join(",", Enumerable.Repeat(1, 16)) + "]}]}";

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _process.DisposeAsync();
    }
}
