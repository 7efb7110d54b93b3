using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Turbine.Client;

namespace Turbine.EndToEnd.Tests;

/// <summary>
/// Start-up as a new user meets it (issue 12 items 11 and 12): a busy port is one line and fails before any model
/// loads; a model that fails to load keeps the server not ready (strict readiness) and can stop start-up (exit-on-error).
/// </summary>
public sealed partial class StartupTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "turbine-e2e", Guid.NewGuid().ToString("N"));

    public StartupTests()
    {
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

    [Theory]
    [InlineData("--http-port", "HTTP")]
    [InlineData("--grpc-port", "gRPC")]
    [InlineData("--metrics-port", "metrics")]
    public async Task Serve_PortInUse_OneLineExit1BeforeAnyModelLoads(string flag, string name)
    {
        var repo = await CreateRepoAsync();
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var args = new List<string> { "serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0" };
        args[args.IndexOf(flag) + 1] = port;

        var (code, output) = await TurbineProcess.RunAsync([.. args]);

        Assert.Equal(1, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"turbine: error: cannot start the server: {name} port {port} on 127.0.0.1 is already in use (another process listens on it); choose another with {flag} (0 picks a free port)", line);
    }

    [Fact]
    public async Task Registry_PortInUse_OneLineNamingFlag()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (code, output) = await TurbineProcess.RunAsync("registry", "--dev", "--port", port, "--data", Path.Combine(_root, "registry"));

        Assert.Equal(1, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"registry port {port} on 127.0.0.1 is already in use", line);
        Assert.Contains("--port", line);
    }

    [Fact]
    public async Task Gateway_PortInUse_OneLineNamingFlag()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var config = Path.Combine(_root, "gateway.yaml");
        await File.WriteAllTextAsync(config, "pools:\n  main:\n    replicas: [{http: \"http://127.0.0.1:1\"}]\nmodels:\n  \"*\": {pool: main}\n");

        var (code, output) = await TurbineProcess.RunAsync("gateway", "--config", config, "--port", port, "--grpc-port", "0");

        Assert.Equal(1, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"HTTP port {port} on 127.0.0.1 is already in use", line);
        Assert.Contains("--port", line);
    }

    [Fact]
    public async Task Serve_ModelFailsStrictReadiness_NotReadyLineNamesModelAndReadyIs503()
    {
        var repo = await CreateRepoAsync(broken: true);
        await using var server = TurbineProcess.Start(["serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"]);

        var match = await server.WaitForLineAsync(NotReadyLine(), TimeSpan.FromSeconds(60));

        Assert.Contains("1 model(s) failed to load: broken (", match.Value);
        Assert.DoesNotContain("turbine ready:", server.Output);
        using var http = new HttpClient { BaseAddress = new Uri(match.Groups[1].Value) };
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("v2/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("v2/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("v2/models/simple/ready")).StatusCode);
        using var grpc = new TurbineGrpcClient(new Uri(match.Groups[2].Value));
        Assert.False(await grpc.IsReadyAsync());
    }

    [Fact]
    public async Task Serve_ModelFailsStrictReadinessFalse_ReadyLineAndReady200()
    {
        var repo = await CreateRepoAsync(broken: true);
        await using var server = TurbineProcess.Start(["serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0", "--strict-readiness", "false"]);

        var url = await server.WaitForReadyAsync(TimeSpan.FromSeconds(60));

        using var http = new HttpClient { BaseAddress = url };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("v2/health/ready")).StatusCode);
        Assert.Contains("1 model(s) failed to load: broken (", server.Output);
    }

    [Fact]
    public async Task Serve_ExplicitModeStrictReadiness_FailedRuntimeLoadUntilUnloaded()
    {
        var repo = await CreateRepoAsync(broken: true);
        await using var server = TurbineProcess.Start(["serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0",
            "--model-control-mode", "explicit", "--load-model", "simple"]);
        var url = await server.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = url };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("v2/health/ready")).StatusCode);

        Assert.False((await http.PostAsync("v2/repository/models/broken/load", null)).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("v2/health/ready")).StatusCode);

        Assert.True((await http.PostAsync("v2/repository/models/broken/unload", null)).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("v2/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Serve_ExitOnErrorModelFails_Exit1NamingModel()
    {
        var repo = await CreateRepoAsync(broken: true);

        var (code, output) = await TurbineProcess.RunAsync("serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0", "--exit-on-error");

        Assert.Equal(1, code);
        Assert.Contains("turbine: error: start-up failed (--exit-on-error): 1 model(s) failed to load: broken (", output);
        Assert.DoesNotContain("turbine ready", output);
    }

    [GeneratedRegex(@"turbine not ready \(--strict-readiness\): .*HTTP on (\S+) gRPC on (\S+)")]
    private static partial Regex NotReadyLine();

    /// <summary>A repository with the sample <c>simple</c> model, plus a model <c>broken</c> whose config does not parse.</summary>
    private async Task<string> CreateRepoAsync(bool broken = false)
    {
        var samples = Path.Combine(_root, "samples");
        var (code, output) = await TurbineProcess.RunAsync("samples", "create", samples);
        Assert.True(code == 0, output);
        var repo = Path.Combine(_root, "repo");
        Directory.CreateDirectory(Path.Combine(repo, "simple", "1"));
        File.Copy(Path.Combine(samples, "simple", "config.pbtxt"), Path.Combine(repo, "simple", "config.pbtxt"));
        File.Copy(Path.Combine(samples, "simple", "1", "model.onnx"), Path.Combine(repo, "simple", "1", "model.onnx"));
        if (broken)
        {
            Directory.CreateDirectory(Path.Combine(repo, "broken", "1"));
            await File.WriteAllTextAsync(Path.Combine(repo, "broken", "config.pbtxt"), "this is { not a config");
        }

        return repo;
    }
}
