using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Turbine.Cli.Commands;
using Turbine.Control;
using Turbine.Control.Api;
using Turbine.Control.Reconciling;
using Turbine.Control.Storage;

namespace Turbine.Cli.Tests.Commands;

/// <summary><c>turbine control</c> parsed and run in-process against a real control host (loopback, SQLite in a temp folder).</summary>
public sealed class ControlCommandTests : IAsyncLifetime
{
    private const string Writer = "cli-writer-secret-0123456789";
    private const string Reader = "cli-reader-secret-0123456789";
    private readonly TempFolder _folder = new("turbine-control-cli");
    private readonly FixedController _controller = new();
    private ControlHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ControlHost.StartAsync(
            new ControlOptions
            {
                Port = 0,
                DataDirectory = _folder.File("data"),
                StaticTokens = [new("writer", Writer, ControlScope.Write), new("reader", Reader, ControlScope.Read)],
                ConfigureLogging = b => b.SetMinimumLevel(LogLevel.Warning),
            },
            s => s.AddSingleton<IDeploymentController>(_controller));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(string? token, params string[] args)
    {
        var root = new RootCommand { ControlCommand.Create() };
        string[] auth = token is null ? [] : ["--token", token];
        var parse = root.Parse(["control", .. args, "--url", _host.Url.ToString(), .. auth]);
        Assert.Empty(parse.Errors);
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private string WriteSpec(string name, int maxReplicas = 3, string extra = "")
    {
        var path = _folder.File(name + ".yaml");
        File.WriteAllText(path, $"""
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: {name}
            spec:
              predictor:
                minReplicas: 1
                maxReplicas: {maxReplicas}{extra}
                model:
                  modelFormat:
                    name: onnx
                  storageUri: registry://{name}@production

            """);
        return path;
    }

    [Fact]
    public async Task ApplyGetDescribeEventsDelete_TablesAndJson_AgainstARealServer()
    {
        var file = WriteSpec("fraud", extra: "\n    tolerations: []");
        var (code, output, error) = await RunAsync(Writer, "apply", "-f", file);
        Assert.True(code == 0, error);
        Assert.Equal("deployment/fraud created (generation 1)", output.Trim());
        Assert.Contains($"turbine: warning: {file}:9:5: ", error, StringComparison.Ordinal);
        Assert.Contains("tolerations", error, StringComparison.Ordinal);

        (code, output, _) = await RunAsync(Writer, "apply", "-f", file);
        Assert.Equal(0, code);
        Assert.Equal("deployment/fraud unchanged (generation 1)", output.Trim());
        (code, output, _) = await RunAsync(Writer, "apply", "-f", WriteSpec("fraud", maxReplicas: 6));
        Assert.Equal("deployment/fraud configured (generation 2)", output.Trim());

        _controller.Status = new DeploymentStatus("fraud", 2, DeploymentPhase.Progressing, null, 3, 2,
            [new ReplicaStatus("fraud-a1", "fraud-v3", "3", 4321, 41001, 41002, ReplicaState.Ready, 1, null, DateTimeOffset.UtcNow)],
            new RevisionStatus("fraud-v3", "3", 90, 2), new RevisionStatus("fraud-v4", "4", 10, 1),
            new RolloutStatus(RolloutState.Progressing, [10, 50, 100], 0, DateTimeOffset.UtcNow, "canary ok"),
            new AutoscalerStatus(4.5, 5, false, 3, "stable average 4.5 over target 1.4"), false, DateTimeOffset.UtcNow);
        (code, output, error) = await RunAsync(Reader, "get");
        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+READY\s+DESIRED\s+PHASE\s+VERSION\s+CANARY\s+AGE$", lines[0]);
        Assert.Matches(@"^fraud\s+2\s+3\s+Progressing\s+3\s+4 \(10%\)\s+\d+s$", lines[1]);

        (code, output, _) = await RunAsync(Reader, "get", "fraud", "--output", "json");
        Assert.Equal(0, code);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.Equal(2, json.RootElement.GetProperty("generation").GetInt64());
            Assert.Equal("progressing", json.RootElement.GetProperty("status").GetProperty("phase").GetString());
        }

        (code, output, error) = await RunAsync(Reader, "describe", "fraud");
        Assert.True(code == 0, error);
        Assert.Contains("Storage URI:   registry://fraud@production", output, StringComparison.Ordinal);
        Assert.Contains("(min 1, max 6)", output, StringComparison.Ordinal);
        Assert.Matches(@"\n\s+fraud-a1\s+3\s+Ready\s+4321\s+41001\s+41002\s+1", output);
        Assert.Matches(@"\n\s+canary\s+fraud-v4\s+4\s+10%\s+1", output);
        Assert.Contains("Rollout:       progressing, step 1 of 3 (10% → 50% → 100%); canary ok", output, StringComparison.Ordinal);
        Assert.Contains("Autoscaler:    desired 3", output, StringComparison.Ordinal);
        Assert.Matches(@"\n\s+\d+s\s+Normal\s+Applied\s+'writer' applied generation 2", output);

        (code, output, _) = await RunAsync(Reader, "events", "fraud", "--limit", "2", "-o", "json");
        using (var json = JsonDocument.Parse(output))
        {
            Assert.Equal(2, json.RootElement.GetProperty("events").GetArrayLength());
        }

        (code, output, _) = await RunAsync(Writer, "rollout", "promote", "fraud");
        Assert.Equal(0, code);
        Assert.Equal("deployment/fraud promoted (phase Progressing)", output.Trim());
        _controller.Refuse = new ControlError(ControlErrorKind.Conflict, "no rollout in progress for 'fraud'");
        (code, _, error) = await RunAsync(Writer, "rollout", "pause", "fraud");
        Assert.Equal(1, code);
        Assert.Equal("turbine: error: no rollout in progress for 'fraud'", error.Trim());

        (code, _, error) = await RunAsync(Reader, "delete", "fraud");
        Assert.Equal(1, code);
        Assert.Contains("may only read", error, StringComparison.Ordinal);
        (code, output, _) = await RunAsync(Writer, "delete", "fraud");
        Assert.Equal(0, code);
        Assert.Equal("deployment/fraud deleted", output.Trim());
        (code, _, error) = await RunAsync(Reader, "get", "fraud");
        Assert.Equal(1, code);
        Assert.Equal("turbine: error: no deployment 'fraud'", error.Trim());
    }

    [Fact]
    public async Task Apply_BadSpec_EveryErrorWithFileLineColumn_Exit1_NothingStored()
    {
        var file = WriteSpec("vision", extra: "\n    scaleMetric: gpu\n    colour: blue");
        var (code, output, error) = await RunAsync(Writer, "apply", "-f", file);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith($"turbine: error: {file}:9:", StringComparison.Ordinal) && l.Contains("scaleMetric", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"turbine: error: {file}:10:", StringComparison.Ordinal) && l.Contains("colour", StringComparison.Ordinal));
        Assert.EndsWith("nothing was applied", lines[^1], StringComparison.Ordinal);
        (code, output, _) = await RunAsync(Reader, "get", "-o", "json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(0, json.RootElement.GetProperty("deployments").GetArrayLength());
    }

    [Fact]
    public async Task Apply_FromStdin_UsageAndAuthErrors_ExitCodes()
    {
        var previous = ControlCommand.Stdin;
        ControlCommand.Stdin = () => new StringReader(File.ReadAllText(WriteSpec("stdin-model")));
        try
        {
            var (code, output, stdinError) = await RunAsync(Writer, "apply", "-f", "-");
            Assert.True(code == 0, stdinError);
            Assert.Equal("deployment/stdin-model created (generation 1)", output.Trim());
        }
        finally
        {
            ControlCommand.Stdin = previous;
        }

        var (device, _, deviceError) = await RunAsync(Writer, "apply", "-f", "/dev/zero");
        Assert.Equal(2, device);
        Assert.Contains("more than", deviceError, StringComparison.Ordinal);

        var (missing, _, missingError) = await RunAsync(Writer, "apply", "-f", _folder.File("nope.yaml"));
        Assert.Equal(2, missing);
        Assert.Contains("is not a file", missingError, StringComparison.Ordinal);

        var (noToken, _, noTokenError) = await RunAsync(null, "get");
        Assert.Equal(1, noToken);
        Assert.Contains("no token", noTokenError, StringComparison.Ordinal);

        var root = new RootCommand { ControlCommand.Create() };
        var parse = root.Parse(["control", "get", "--url", $"http://127.0.0.1:{Loopback.FreePort()}", "--token", Reader]);
        var error = new StringWriter();
        Assert.Equal(1, await parse.InvokeAsync(new InvocationConfiguration { Output = new StringWriter(), Error = error }));
        Assert.Contains("cannot reach the control service", error.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(root.Parse(["control", "events", "x", "--limit", "0"]).Errors);
        Assert.NotEmpty(root.Parse(["control", "get", "--url", "ftp://x"]).Errors);
    }

    [Fact]
    public async Task Serve_BadOptions_EveryProblemListed_Exit2()
    {
        var tokens = _folder.File("tokens.txt");
        await File.WriteAllTextAsync(tokens, "# name scope secret\nops write 0123456789abcdef0123\nbad line\n");
        var error = Assert.ThrowsAny<Exception>(() => ControlCommand.ReadTokensFile(tokens));
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        await File.WriteAllTextAsync(tokens, "ops write 0123456789abcdef0123\nviewer read short\n");

        var root = new RootCommand { ControlCommand.Create() };
        var parse = root.Parse(["control", "serve", "--host", "0.0.0.0", "--dev", "--port", "0", "--tokens-file", tokens, "--data", _folder.File("serve")]);
        var stderr = new StringWriter();
        Assert.Equal(2, await parse.InvokeAsync(new InvocationConfiguration { Output = new StringWriter(), Error = stderr }));
        Assert.Contains("loopback", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("'viewer'", stderr.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A reconciler stand-in for the CLI tests: one status, optional refusal of rollout commands.</summary>
    private sealed class FixedController : IDeploymentController
    {
        public DeploymentStatus? Status { get; set; }

        public ControlError? Refuse { get; set; }

        public DeploymentStatus? GetStatus(string name) => Status is { } s && s.Name == name ? s : null;

        public void Trigger(string name)
        {
        }

        public Task<ControlResult<DeploymentStatus>> PromoteAsync(string name, CancellationToken cancellationToken) => Answer();

        public Task<ControlResult<DeploymentStatus>> RollbackAsync(string name, CancellationToken cancellationToken) => Answer();

        public Task<ControlResult<DeploymentStatus>> SetPausedAsync(string name, bool paused, CancellationToken cancellationToken) => Answer();

        private Task<ControlResult<DeploymentStatus>> Answer() => Task.FromResult(Refuse is { } e
            ? ControlResult<DeploymentStatus>.Fail(e)
            : ControlResult<DeploymentStatus>.Ok(Status!));
    }
}
