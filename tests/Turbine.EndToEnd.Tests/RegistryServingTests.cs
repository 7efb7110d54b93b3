using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Turbine.Client;
using Xunit.Abstractions;

namespace Turbine.EndToEnd.Tests;

/// <summary>
/// The registry story end to end, every piece a real <c>turbine</c> process: a registry, <c>turbine models</c> pushes
/// and promotions, and <c>turbine serve --registry</c> following <c>NAME@production</c> under continuous load.
/// </summary>
public sealed partial class RegistryServingTests : IDisposable
{
    private const string Model = "adder";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "turbine-e2e-registry", Guid.NewGuid().ToString("N"));
    private readonly ITestOutputHelper _log;

    public RegistryServingTests(ITestOutputHelper log)
    {
        _log = log;
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
    public async Task ServeFromRegistry_PromoteV2UnderLoad_SwitchesVersionWithZeroFailedRequestsAndSurvivesRegistryStop()
    {
        var registry = StartRegistry();
        await using var registryScope = registry;
        var registryUrl = await WaitForRegistryUrlAsync(registry);

        // v1: identity-like (adds 0), pushed and promoted to Production.
        var v1 = AddModel.Write(Path.Combine(_root, "v1"), 0f);
        var push1 = await Models("push", v1, "--name", Model, "--metric", "auc=0.91", "--registry", registryUrl);
        Assert.True(push1.ExitCode == 0, push1.Output);
        Assert.Contains($"pushed {Model} version 1", push1.Output);
        var promote1 = await Models("promote", $"{Model}:1", "--stage", "Production", "--registry", registryUrl);
        Assert.True(promote1.ExitCode == 0, promote1.Output);

        await using var server = TurbineProcess.Start(["serve", "--registry", registryUrl, "--model", $"{Model}@production",
            "--registry-poll-secs", "1", "--registry-cache", Path.Combine(_root, "cache"),
            "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"]);
        var url = await server.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        using var client = new TurbineHttpClient(url);
        Assert.Equal("1", (await InferAsync(client, 5f)).Version);

        // Continuous load: 4 clients, each sequential, until told to stop (bounded in time and count).
        var results = new ConcurrentQueue<(int Client, long Sequence, string Version, float Input, float Output)>();
        var failures = new ConcurrentQueue<string>();
        using var stopLoad = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var sawV2 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var afterV2 = 0;
        var load = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            for (long i = 0; i < 20_000 && !stopLoad.IsCancellationRequested; i++)
            {
                var input = (c * 1000) + (i % 1000);
                try
                {
                    var (version, output) = await InferAsync(client, input);
                    results.Enqueue((c, i, version, input, output));
                    if (version == "2")
                    {
                        sawV2.TrySetResult();
                        if (Interlocked.Increment(ref afterV2) >= 200)
                        {
                            return;
                        }
                    }
                }
                catch (Exception e) when (e is TurbineClientException or HttpRequestException)
                {
                    failures.Enqueue($"client {c} request {i}: {e.Message}");
                }
            }
        })).ToList();

        // Wait until every client has had some v1 answers, then push and promote v2 (adds 1).
        await WaitUntilAsync(() => results.Count >= 100, TimeSpan.FromSeconds(30), "the load never got going");
        var v2 = AddModel.Write(Path.Combine(_root, "v2"), 1f);
        var push2 = await Models("push", v2, "--name", Model, "--registry", registryUrl);
        Assert.True(push2.ExitCode == 0, push2.Output);
        Assert.Contains($"pushed {Model} version 2", push2.Output);
        var promote2 = await Models("promote", $"{Model}:2", "--stage", "Production", "--archive-existing", "--registry", registryUrl);
        Assert.True(promote2.ExitCode == 0, promote2.Output);

        await Task.WhenAny(sawV2.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(sawV2.Task.IsCompleted, $"no version-2 answer within 60 s; server output:\n{server.Output}");
        await Task.WhenAll(load);

        Assert.True(failures.IsEmpty, $"{failures.Count} failed requests, first: {failures.FirstOrDefault()}");
        var all = results.ToList();
        _log.WriteLine($"{all.Count} answers under load: {all.Count(r => r.Version == "1")} from version 1, {all.Count(r => r.Version == "2")} from version 2, 0 failed");
        Assert.Contains(all, r => r.Version == "1");
        Assert.Contains(all, r => r.Version == "2");
        foreach (var r in all)
        {
            // Each answer is consistent: version 1 returns the input, version 2 the input + 1.
            Assert.Equal(r.Version == "2" ? r.Input + 1 : r.Input, r.Output);
        }

        // Per client the switch is one-way: once a request got version 2, every later request does.
        foreach (var perClient in all.GroupBy(r => r.Client))
        {
            var ordered = perClient.OrderBy(r => r.Sequence).ToList();
            var first2 = ordered.FindIndex(r => r.Version == "2");
            Assert.True(first2 < 0 || ordered.Skip(first2).All(r => r.Version == "2"), $"client {perClient.Key} went back to version 1");
        }

        Assert.Matches(SwapLine(), server.Output);

        // Stop the registry: the server keeps serving version 2 (and logs the failed polls).
        await registry.DisposeAsync();
        var cached = await InferAsync(client, 41f);
        Assert.Equal(("2", 42f), cached);
        await WaitUntilAsync(() => server.Output.Contains("registry: syncing", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "no failed poll was logged after the registry stopped");
        Assert.Equal(("2", 8f), await InferAsync(client, 7f));

        // Restarted while the registry is still down, the server serves what refs.json and the blob cache hold.
        server.Terminate();
        using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            Assert.Equal(0, await server.WaitForExitAsync(exit.Token));
        }

        await using var restarted = TurbineProcess.Start(["serve", "--registry", registryUrl, "--model", $"{Model}@production",
            "--registry-poll-secs", "1", "--registry-cache", Path.Combine(_root, "cache"),
            "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"]);
        using var restartedClient = new TurbineHttpClient(await restarted.WaitForReadyAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(("2", 4f), await InferAsync(restartedClient, 3f));
        Assert.Contains("serving the cached version 2", restarted.Output);
    }

    private TurbineProcess StartRegistry() =>
        TurbineProcess.Start(["registry", "--dev", "--port", "0", "--data", Path.Combine(_root, "registry")]);

    private static async Task<string> WaitForRegistryUrlAsync(TurbineProcess registry)
    {
        var match = await registry.WaitForLineAsync(RegistryReadyLine(), TimeSpan.FromSeconds(60));
        return match.Groups[1].Value;
    }

    private static Task<(int ExitCode, string Output)> Models(params string[] args) => TurbineProcess.RunAsync(["models", .. args]);

    private static async Task<(string Version, float Output)> InferAsync(TurbineHttpClient client, float value)
    {
        var input = new InferInput("INPUT0", [1, 4], "FP32").SetData(new[] { value, value, value, value });
        var result = await client.InferAsync(Model, [input]);
        return (result.ModelVersion, result.GetOutput("OUTPUT0").AsArray<float>()[0]);
    }

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string message) =>
        Poll.UntilOrFailAsync(condition, timeout, message, TimeSpan.FromMilliseconds(50));

    [GeneratedRegex(@"turbine registry ready: (\S+)")]
    private static partial Regex RegistryReadyLine();

    [GeneratedRegex(@"registry: adder@production now served as 'adder' version 2 \(sha256 [0-9a-f]{64}; was version 1\)")]
    private static partial Regex SwapLine();
}
