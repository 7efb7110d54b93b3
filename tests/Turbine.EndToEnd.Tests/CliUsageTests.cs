using System.Text.Json;
using System.Text.RegularExpressions;

namespace Turbine.EndToEnd.Tests;

/// <summary>
/// Issue 12's new-user rough edges, as real <c>turbine</c> processes: bad flag values, <c>infer</c>/<c>bench</c>
/// through a gateway that requires an API key, FP32 printing, progress on stderr, payload-log lookups.
/// </summary>
public sealed partial class CliUsageTests : IAsyncLifetime
{
    private const string ApiKey = "simple-key"; // sha256 below
    private readonly string _root = Path.Combine(Path.GetTempPath(), "turbine-e2e", Guid.NewGuid().ToString("N"));
    private TurbineProcess? _server;
    private GatewayProcess? _gateway;
    private Uri _serverHttp = null!;

    public async Task InitializeAsync()
    {
        var repo = Path.Combine(_root, "repo");
        Turbine.Samples.SampleRepository.CreateModel(repo, "simple");
        Turbine.Samples.SampleRepository.CreateModel(repo, "identity_fp32");
        _server = TurbineProcess.Start(["serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0", "--exit-timeout-secs", "5"]);
        _serverHttp = await _server.WaitForReadyAsync(TimeSpan.FromSeconds(90));
        _gateway = await GatewayProcess.StartAsync(_root, $$"""
            pools:
              main: {replicas: [{http: "{{_serverHttp.ToString().TrimEnd('/')}}", grpc: "{{_server.GrpcAddress!.ToString().TrimEnd('/')}}"}]}
            models:
              "*": {pool: main}
            auth:
              apiKeys:
                - {id: simple-user, hash: "sha256:b43ae8fb43a62fdadd0b5e312017cdf6b8a66de0d6071405005099eb891d4bd9", models: [simple]}
            accessLog: {enabled: false}
            """);
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string[] args, Dictionary<string, string>? environment = null)
    {
        await using var p = TurbineProcess.Start(args, environment);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var code = await p.WaitForExitAsync(timeout.Token);
        return (code, p.Output);
    }

    private static string[] InferSimple(Uri url, params string[] extra) =>
        ["infer", "simple", "--url", url.ToString(), "--input", "INPUT0=[[" + string.Join(',', Enumerable.Range(0, 16)) + "]]",
            "--input", "INPUT1=[[" + string.Join(',', Enumerable.Repeat(1, 16)) + "]]", .. extra];

    [Fact]
    public async Task Infer_ThroughGatewayWithAuth_TokenFlagOrVariableIsSent()
    {
        var (code, output) = await RunAsync(InferSimple(_gateway!.Http));
        Assert.Equal(1, code);
        Assert.Contains("turbine: error: server answered 401: missing credential", output, StringComparison.Ordinal);

        (code, output) = await RunAsync(InferSimple(_gateway.Http, "--token", ApiKey));
        Assert.True(code == 0, output);
        Assert.Equal(16, JsonDocument.Parse(output.Trim()).RootElement.GetProperty("outputs")[0].GetProperty("data")[15].GetInt32());

        (code, output) = await RunAsync(InferSimple(_gateway.Http), new Dictionary<string, string> { ["TURBINE_TOKEN"] = ApiKey });
        Assert.True(code == 0, output);

        (code, output) = await RunAsync(InferSimple(_gateway.Grpc, "--protocol", "grpc", "--token", ApiKey));
        Assert.True(code == 0, output);

        (code, output) = await RunAsync(InferSimple(_gateway.Http, "--token", "wrong-key"));
        Assert.Equal(1, code);
        Assert.Contains("401: invalid API key", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("grpc")]
    public async Task Bench_ThroughGatewayWithAuth_TokenIsSentAndProgressGoesToStderr(string protocol)
    {
        var url = protocol == "grpc" ? _gateway!.Grpc : _gateway!.Http;
        string[] bench = ["bench", "-m", "simple", "-u", url.ToString(), "--protocol", protocol, "--concurrency-range", "1",
            "--measurement-interval", "200", "--max-trials", "3", "--format", "json"];
        var (code, output) = await RunAsync(bench);
        Assert.Equal(1, code);
        Assert.Contains(protocol == "grpc" ? "Unauthenticated" : "401", output, StringComparison.Ordinal);

        await using var p = TurbineProcess.Start([.. bench, "--token", ApiKey]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        code = await p.WaitForExitAsync(timeout.Token);
        Assert.True(code == 0, p.Output);
        Assert.Contains(p.Output.Split('\n'), l => ProgressLine().IsMatch(l)); // stderr is redirected: plain lines, no bar
        Assert.DoesNotContain('\r', p.Output);
    }

    [Fact]
    public async Task Infer_Fp32Output_PrintedAtFp32Precision()
    {
        var (code, output) = await RunAsync(["infer", "identity_fp32", "--url", _serverHttp.ToString(), "--input", "INPUT0=[[1.3274465E-08,0.1,3]]"]);
        Assert.True(code == 0, output);
        Assert.Contains("\"data\":[1.3274465E-08,0.1,3]", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serve", "--model-repository", "/tmp", "--http-port", "abc")]
    [InlineData("serve", "--model-repository", "/tmp", "--metrics-port", "x")]
    [InlineData("serve", "--http-port", "abc")]
    [InlineData("up", "--http-port", "abc")]
    [InlineData("up", "--registry-port", "8o8o")]
    [InlineData("gateway", "--config", "g.yaml", "--port", "abc")]
    [InlineData("gateway", "--config", "g.yaml", "--http-port", "abc")]
    [InlineData("registry", "--port", "abc")]
    [InlineData("registry", "--http-port", "abc")]
    [InlineData("bench", "-m", "simple", "--batch-size", "two")]
    [InlineData("models", "pull", "m", "/tmp/x", "--max-extract-entries", "many")]
    public async Task NonNumericValue_OneLineNamingTheOptionAndExitCode2(params string[] args)
    {
        var (code, output) = await TurbineProcess.RunAsync(args);
        Assert.Equal(2, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var flag = args[^2] == "--port" ? "--http-port" : args[^2];
        Assert.StartsWith($"turbine: error: {flag} '{args[^1]}': expected a whole number", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PayloadLogsQuery_IdWithNoMatch_SaysSoAndExitsOne()
    {
        var dir = Path.Combine(_root, "payloads");
        Directory.CreateDirectory(dir);
        foreach (var name in new[] { "payload-logs", "logs" })
        {
            var (code, output) = await TurbineProcess.RunAsync(name, "query", "--dir", dir, "--id", "nosuch");
            Assert.Equal(1, code);
            Assert.Equal($"turbine: no payload-log record in '{dir}' matches id 'nosuch'", output.Trim());
        }
    }

    [GeneratedRegex(@"^turbine bench: \d+% concurrency 1 \(level 1/1\), window \d/3")]
    private static partial Regex ProgressLine();
}
