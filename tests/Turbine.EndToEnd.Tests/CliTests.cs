using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Turbine.Client;

namespace Turbine.EndToEnd.Tests;

/// <summary>Every user-visible command of the README, run as a real process on loopback.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "turbine-e2e", Guid.NewGuid().ToString("N"));

    public CliTests()
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

    [Fact]
    public async Task SamplesCreate_WritesEveryModel()
    {
        var repo = Path.Combine(_root, "repo");
        var (code, output) = await TurbineProcess.RunAsync("samples", "create", repo);
        Assert.Equal(0, code);
        Assert.Contains("created sample models", output);
        foreach (var model in new[] { "simple", "simple_int8", "simple_string", "simple_identity", "identity_fp32", "iris", "accumulator" })
        {
            Assert.True(File.Exists(Path.Combine(repo, model, "1", "model.onnx")), model);
        }

        // A second run keeps what exists and says so, instead of claiming to have created it.
        (code, output) = await TurbineProcess.RunAsync("samples", "create", repo);
        Assert.Equal(0, code);
        Assert.Equal($"sample models in {Path.GetFullPath(repo)}: nothing created; kept existing simple, simple_int8, simple_string, simple_identity, identity_fp32, iris, accumulator (--overwrite rewrites them)", output.Trim());
    }

    [Fact]
    public async Task SamplesCreate_Graphs_WritesEnsembleAndSwitchGraphThatServe()
    {
        var repo = Path.Combine(_root, "graphs");
        var (code, output) = await TurbineProcess.RunAsync("samples", "create", repo, "--graphs");
        Assert.True(code == 0, output);
        Assert.Contains("graph samples: created simple_chain, iris_router (with sepal_score, petal_score)", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(repo, "iris_router", "graph.yaml")));

        await using var server = TurbineProcess.Start(["serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"]);
        var url = await server.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        using var client = new TurbineHttpClient(url);
        // A setosa (short petals) goes to sepal_score (sepal length + width); a virginica to petal_score (petal length + width).
        var setosa = await client.InferAsync("iris_router", [new InferInput("input", [1, 4], "FP32").SetData(new[] { 5.1f, 3.5f, 1.4f, 0.2f })]);
        Assert.Equal(8.6f, setosa.GetOutput("score").AsArray<float>()[0], 4);
        var virginica = await client.InferAsync("iris_router", [new InferInput("input", [1, 4], "FP32").SetData(new[] { 6.3f, 3.3f, 6.0f, 2.5f })]);
        Assert.Equal(8.5f, virginica.GetOutput("score").AsArray<float>()[0], 4);
        var chain = await client.InferAsync("simple_chain", [
            new InferInput("A", [1, 16], "INT32").SetData(Enumerable.Range(0, 16).ToArray()),
            new InferInput("B", [1, 16], "INT32").SetData(Enumerable.Repeat(1, 16).ToArray()),
        ]);
        Assert.Equal(Enumerable.Range(0, 16).Select(a => 2 * a), chain.GetOutput("TWICE_A").AsArray<int>());
        Assert.Equal(Enumerable.Repeat(2, 16), chain.GetOutput("TWICE_B").AsArray<int>());

        (code, output) = await TurbineProcess.RunAsync("samples", "create", repo, "--graphs");
        Assert.True(code == 0, output);
        Assert.Contains("graph samples: kept existing (--overwrite rewrites them)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_CurlWithHandBuiltBinaryBody_GetsBinaryOutputs()
    {
        var repo = await CreateRepoAsync();
        await using var server = TurbineProcess.Start(["serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"]);
        var url = await server.WaitForReadyAsync(TimeSpan.FromSeconds(60));

        // A body built by hand, as a non-Turbine client would: JSON header, then two raw INT32[1,16] sections.
        var header = Encoding.UTF8.GetBytes(
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":64}}," +
            "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":64}}]," +
            "\"parameters\":{\"binary_data_output\":true}}");
        var body = new MemoryStream();
        body.Write(header);
        for (var i = 0; i < 16; i++)
        {
            body.Write(BitConverter.GetBytes(i * 10));
        }

        for (var i = 0; i < 16; i++)
        {
            body.Write(BitConverter.GetBytes(3));
        }

        var bodyPath = Path.Combine(_root, "body.bin");
        var outPath = Path.Combine(_root, "out.bin");
        await File.WriteAllBytesAsync(bodyPath, body.ToArray());
        var (code, curlOutput) = await RunAsync("curl", "-s", "-S", "-D", "-", "-o", outPath, "-X", "POST",
            "-H", $"Inference-Header-Content-Length: {header.Length}", "-H", "Content-Type: application/octet-stream",
            "--data-binary", "@" + bodyPath, new Uri(url, "v2/models/simple/infer").ToString());
        Assert.Equal(0, code);
        Assert.Contains("200 OK", curlOutput);
        var headerLine = curlOutput.Split('\n').Single(l => l.StartsWith("Inference-Header-Content-Length", StringComparison.OrdinalIgnoreCase));
        var jsonLength = int.Parse(headerLine.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var response = await File.ReadAllBytesAsync(outPath);
        using var json = JsonDocument.Parse(response.AsMemory(0, jsonLength));
        Assert.Equal("OUTPUT0", json.RootElement.GetProperty("outputs")[0].GetProperty("name").GetString());
        var sum = BitConverter.ToInt32(response, jsonLength + (4 * 5));
        var diff = BitConverter.ToInt32(response, jsonLength + 64 + (4 * 5));
        Assert.Equal(53, sum);
        Assert.Equal(47, diff);
    }

    [Fact]
    public async Task Serve_Sigterm_DrainsAndExitsZero()
    {
        var repo = await CreateRepoAsync();
        await using var server = TurbineProcess.Start(["serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"]);
        var url = await server.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        using var client = new TurbineHttpClient(url);
        var input0 = new InferInput("INPUT0", [1, 16], "INT32").SetData(Enumerable.Range(0, 16).ToArray());
        var input1 = new InferInput("INPUT1", [1, 16], "INT32").SetData(Enumerable.Repeat(1, 16).ToArray());

        // Requests in flight when SIGTERM arrives either complete correctly or are refused at connect time.
        var completed = 0;
        var refused = 0;
        var wrong = new List<string>();
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var result = await client.InferAsync("simple", [input0, input1]);
                    if (result.GetOutput("OUTPUT0").AsArray<int>()[15] == 16)
                    {
                        Interlocked.Increment(ref completed);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref refused);
                    return;
                }
                catch (TurbineClientException e)
                {
                    lock (wrong)
                    {
                        wrong.Add($"{e.StatusCode}: {e.ServerMessage}");
                    }

                    return;
                }
            }
        })).ToList();

        // With a deadline: a server that stops answering must fail the assertion below, not hang the test.
        await Poll.UntilAsync(() => Volatile.Read(ref completed) >= 50, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(10));

        server.Terminate();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exit = await server.WaitForExitAsync(timeout.Token);
        await stop.CancelAsync();
        await Task.WhenAll(load);
        Assert.Equal(0, exit);
        Assert.True(completed >= 50);
        Assert.All(wrong, w => Assert.StartsWith("503", w, StringComparison.Ordinal));
        Assert.Contains("unloaded model 'simple'", server.Output);
    }

    [Fact]
    public async Task Infer_Command_PrintsOutputsAsJson()
    {
        var repo = await CreateRepoAsync();
        await using var server = TurbineProcess.Start(["serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"]);
        var url = await server.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        var (code, output) = await TurbineProcess.RunAsync("infer", "iris", "--url", url.ToString(),
            "--input", "input=[[6.7,3.0,5.2,2.3]]", "--classification", "1");
        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output.Trim());
        var data = json.RootElement.GetProperty("outputs")[0].GetProperty("data")[0].GetString();
        Assert.EndsWith(":2:virginica", data);

        var (badCode, badOutput) = await TurbineProcess.RunAsync("infer", "iris", "--url", url.ToString(), "--input", "nosuch=[1]");
        Assert.NotEqual(0, badCode);
        Assert.Contains("has no input 'nosuch'", badOutput);
    }

    [Fact]
    public async Task Grpc_TurbineClientAndInferCommand_AgainstRealServer()
    {
        var repo = await CreateRepoAsync();
        await using var server = TurbineProcess.Start(["serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"]);
        await server.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        var grpc = server.GrpcAddress!;

        using (var client = new TurbineGrpcClient(grpc))
        {
            Assert.True(await client.IsReadyAsync());
            Assert.Contains("binary_tensor_data", (await client.GetServerMetadataAsync()).Extensions);
            var result = await client.InferAsync("simple", [
                new InferInput("INPUT0", [2, 16], "INT32").SetData(Enumerable.Range(0, 32).ToArray()),
                new InferInput("INPUT1", [2, 16], "INT32").SetData(Enumerable.Repeat(2, 32).ToArray()),
            ], options: new InferOptions { RequestId = "g-1" });
            Assert.Equal("g-1", result.Id);
            Assert.Equal(33, result.GetOutput("OUTPUT0").AsArray<int>()[31]);
            Assert.Equal(29, result.GetOutput("OUTPUT1").AsArray<int>()[31]);
            var typed = await client.InferAsync("simple_string", [
                new InferInput("INPUT0", [1, 16], "BYTES").SetStrings([.. Enumerable.Repeat("40", 16)]),
                new InferInput("INPUT1", [1, 16], "BYTES").SetStrings([.. Enumerable.Repeat("2", 16)]),
            ], options: new InferOptions { GrpcTypedContents = true });
            Assert.Equal("42", typed.GetOutput("OUTPUT0").AsStrings()[0]);
        }

        var (code, output) = await TurbineProcess.RunAsync("infer", "iris", "--protocol", "grpc", "--url", grpc.ToString(),
            "--input", "input=[[5.1,3.5,1.4,0.2]]", "--classification", "1");
        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output.Trim());
        Assert.EndsWith(":0:setosa", json.RootElement.GetProperty("outputs")[0].GetProperty("data")[0].GetString());
    }

    [Theory]
    [InlineData(new[] { "serve" }, "--model-repository")]
    [InlineData(new[] { "serve", "--model-repository", "/nonexistent/turbine/repo" }, "does not exist")]
    [InlineData(new[] { "serve", "--model-repository", "/tmp", "--http-port", "70000" }, "--http-port must be between 0 and 65535")]
    [InlineData(new[] { "serve", "--model-repository", "/tmp", "--max-inflight-body-bytes", "0" }, "--max-inflight-body-bytes must be positive")]
    [InlineData(new[] { "serve", "--model-repository", "/tmp", "--grpc-stream-max-pending", "0" }, "--grpc-stream-max-pending must be at least 1")]
    [InlineData(new[] { "serve", "--model-repository", "/tmp", "--model-control-mode", "sometimes" }, "sometimes")]
    [InlineData(new[] { "serve", "--model-repository", "/tmp", "--no-such-flag" }, "--no-such-flag")]
    [InlineData(new[] { "serve", "--model-repository", "/tmp", "--id", "" }, "the server id (--id) must not be empty")]
    [InlineData(new[] { "serve", "--registry", "http://127.0.0.1:1" }, "--registry needs at least one --model")]
    [InlineData(new[] { "serve", "--model-repository", "/tmp", "--registry", "http://127.0.0.1:1", "--model", "a" }, "not both")]
    [InlineData(new[] { "serve", "--registry", "ftp://x", "--model", "a" }, "--registry must be an http:// or https:// URL")]
    [InlineData(new[] { "serve", "--model-repository", "/tmp", "--management-token-file", "/nonexistent/turbine/token" }, "--management-token-file '/nonexistent/turbine/token' does not exist")]
    [InlineData(new[] { "serve", "--model-repository", "/tmp", "--management-token", "short" }, "the management token must be at least 16 characters")]
    [InlineData(new[] { "serve", "--model-repository", "/tmp", "--management-auth", "off" }, "off")]
    [InlineData(new[] { "models", "push", "/nonexistent/model.onnx", "--name", "a", "--registry", "http://127.0.0.1:1" }, "is neither a file nor a folder")]
    [InlineData(new[] { "models", "list", "--registry", "http://127.0.0.1:1" }, "cannot reach the registry")]
    public async Task BadFlags_OneLineErrorAndNonZeroExit(string[] args, string expected)
    {
        var (code, output) = await TurbineProcess.RunAsync(args);
        Assert.NotEqual(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("turbine: error:", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0]);
    }

    [Fact]
    public async Task Up_CreatesSamplesAndServesThem()
    {
        var home = Path.Combine(_root, "home");
        await using var server = TurbineProcess.Start(["up", "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0", "--registry-port", "0", "--control-port", "0"], new Dictionary<string, string> { ["TURBINE_HOME"] = home });
        var url = await server.WaitForReadyAsync(TimeSpan.FromSeconds(120)); // the summary's first line: the gateway's ports

        // One summary of what runs where; the registry's URL is in it and the samples are registered in Production.
        var registryLine = await server.WaitForLineAsync(new System.Text.RegularExpressions.Regex(@"^  registry: (\S+) \(dev mode"), TimeSpan.FromSeconds(5));
        using (var registry = new Turbine.Client.Registry.RegistryClient(new Uri(registryLine.Groups[1].Value)))
        {
            Assert.Equal(1, (await registry.ResolveAsync("iris@production")).Version);
            Assert.Equal(Turbine.Samples.SampleRepository.ModelNames.Count, (await registry.ListModelsAsync()).Count);
        }

        await server.WaitForLineAsync(new System.Text.RegularExpressions.Regex(@"^  models:   7 ready: accumulator, identity_fp32, iris, "), TimeSpan.FromSeconds(5));
        var lines = server.Output.Split('\n');
        Assert.Single(lines, l => l.Contains("ready:", StringComparison.Ordinal) && !l.StartsWith("  models:", StringComparison.Ordinal)); // one ready line, not one per role
        Assert.Contains(lines, l => l.StartsWith("turbine: building sample model accumulator (7/7)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("turbine up: registering iris in the registry", StringComparison.Ordinal));

        // One log format: every log line of every role (registry's dev-mode warning, the server's loads) has the UTC timestamp.
        var logLines = lines.Where(l => l.Contains(": Turbine", StringComparison.Ordinal)).ToList();
        Assert.Contains(logLines, l => l.Contains("Turbine.Registry", StringComparison.Ordinal));
        Assert.Contains(logLines, l => l.Contains("loaded model 'iris'", StringComparison.Ordinal));
        Assert.All(logLines, l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info|warn|fail|crit|dbug|trce): ", l));

        Assert.True(Directory.Exists(Path.Combine(home, "registry")));
        Assert.True(Directory.Exists(Path.Combine(home, "models", "simple", "1")));
        using var client = new TurbineHttpClient(url);
        Assert.True(await client.IsReadyAsync());
        var index = await client.GetRepositoryIndexAsync();
        Assert.Equal(Turbine.Samples.SampleRepository.ModelNames.Count, index.Count(r => r.State == "READY"));
        var result = await client.InferAsync("simple_string", [
            new InferInput("INPUT0", [1, 16], "BYTES").SetStrings([.. Enumerable.Range(0, 16).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]),
            new InferInput("INPUT1", [1, 16], "BYTES").SetStrings([.. Enumerable.Repeat("7", 16)]),
        ]);
        Assert.Equal("22", result.GetOutput("OUTPUT0").AsStrings()[15]);

        // The embedded controller: `simple` is a deployment with a ready replica of its own (not the embedded server) and
        // answers through the same gateway; `simple-int8` (model simple_int8) is declared with minReplicas 0 (it starts with one replica, as
        // Knative's initial scale, and goes to zero when idle: the control-plane tests cover that with short windows).
        var controlLine = await server.WaitForLineAsync(new System.Text.RegularExpressions.Regex(@"^  control:  (\S+) \(dev mode.*deployments: simple \(1-3 replicas.*simple-int8 \(0-1 replicas"), TimeSpan.FromSeconds(5));
        using var control = new Turbine.Control.Api.ControlClient(new Uri(controlLine.Groups[1].Value), token: null);
        var simple = await control.GetAsync("simple");
        Assert.Contains("storageUri: registry://simple@production", simple.Yaml, StringComparison.Ordinal);
        var replica = Assert.Single(simple.Status.Replicas);
        Assert.Equal(Turbine.Control.Reconciling.ReplicaState.Ready, replica.State);
        using (var direct = new TurbineHttpClient(new Uri($"http://127.0.0.1:{replica.HttpPort}")))
        {
            Assert.Equal(["simple"], (await direct.GetRepositoryIndexAsync()).Select(r => r.Name));
        }

        var sum = await client.InferAsync("simple", [
            new InferInput("INPUT0", [1, 16], "INT32").SetData(Enumerable.Range(0, 16).ToArray()),
            new InferInput("INPUT1", [1, 16], "INT32").SetData(Enumerable.Repeat(2, 16).ToArray()),
        ]);
        Assert.Equal(17, sum.GetOutput("OUTPUT0").AsArray<int>()[15]);

        Assert.Contains("minReplicas: 0", (await control.GetAsync("simple-int8")).Yaml, StringComparison.Ordinal);
        var wrapped = await client.InferAsync("simple_int8", [
            new InferInput("INPUT0", [1, 16], "INT8").SetData(Enumerable.Repeat((sbyte)127, 16).ToArray()),
            new InferInput("INPUT1", [1, 16], "INT8").SetData(Enumerable.Repeat((sbyte)1, 16).ToArray()),
        ]);
        Assert.Equal(-128, wrapped.GetOutput("OUTPUT0").AsArray<sbyte>()[0]);
        // A replica of simple-int8 became ready (its event stays, whereas the status may already show it scaled back to zero
        // on a slow machine: the deployment is idle apart from this one request).
        Assert.True(await Poll.UntilAsync(async () => (await control.EventsAsync("simple-int8")).Events.Any(e => e.Reason == "ReplicaReady"), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)));
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(home, "control", "replicas")).Length); // replicas/<deployment>/<replica>: both deployments ran one

        // The sample feature store: iris takes flower ids, the server builds the measurements from the online store.
        await server.WaitForLineAsync(new System.Text.RegularExpressions.Regex(@"^  features: iris also takes flower_id \(1-150\)"), TimeSpan.FromSeconds(5));
        var byId = await client.InferAsync("iris", [new InferInput("flower_id", [2], "INT64").SetData(new long[] { 1, 150 })]);
        var probabilities = byId.GetOutput("probabilities").AsArray<float>();
        Assert.Equal([2L, 3L], byId.GetOutput("probabilities").Shape);
        Assert.Equal(0, Array.IndexOf(probabilities[..3], probabilities[..3].Max()));   // flower 1: setosa
        Assert.Equal(2, Array.IndexOf(probabilities[3..], probabilities[3..].Max()));   // flower 150: virginica
        Assert.True(File.Exists(Path.Combine(home, "features", "iris", "feature_store.yaml")));

        // Monitoring: the embedded server monitors iris against its training data's profile (also stored with iris v1 in
        // the registry), and the dashboard under up reads it with no flag: two batches of 64 rows close a 100-row window.
        await server.WaitForLineAsync(new System.Text.RegularExpressions.Regex(@"^  health:   \S+dashboard/#/health/iris \(iris monitored against its training data"), TimeSpan.FromSeconds(5));
        Assert.True(File.Exists(Path.Combine(home, "monitoring", "iris-profile.json")));
        Assert.Contains("\"payload_log\"", File.ReadAllText(Path.Combine(home, "models", "iris", "config.pbtxt")), StringComparison.Ordinal);
        var (training, _) = Turbine.Samples.SampleRepository.IrisTrainingData();
        var spread = Enumerable.Range(0, 128).Select(i => training[i * 7 % training.Length]).ToArray(); // the file is sorted by class: take every class
        foreach (var start in new[] { 0, 64 })
        {
            var batch = spread.Skip(start).Take(64).SelectMany(r => r).ToArray();
            var answer = await client.InferAsync("iris", [new InferInput("input", [64, 4], "FP32").SetData(batch)]);
            Assert.Equal([64L, 3L], answer.GetOutput("probabilities").Shape);
        }

        using var dashboard = new HttpClient { BaseAddress = new Uri(controlLine.Groups[1].Value), Timeout = TimeSpan.FromSeconds(30) };
        System.Text.Json.JsonElement health = default;
        await Poll.UntilOrFailAsync(async () =>
        {
            using var response = await dashboard.GetAsync("api/dashboard/health/iris");
            health = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return response.IsSuccessStatusCode && health.TryGetProperty("quality", out _);
        }, TimeSpan.FromSeconds(30), () => "the dashboard's monitoring summary for iris never showed a closed window: " + health, TimeSpan.FromMilliseconds(200));
        Assert.Equal("iris", health.GetProperty("model").GetString());
        Assert.Equal(Turbine.Samples.SampleRepository.IrisFeatureNames, health.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("name").GetString()!));
        Assert.Equal(100, health.GetProperty("quality").GetProperty("rows").GetInt32());
        Assert.False(health.GetProperty("datasetDrift").GetBoolean()); // the training data against its own profile
        using (var registry = new Turbine.Client.Registry.RegistryClient(new Uri(registryLine.Groups[1].Value)))
        {
            Assert.Contains("turbine:reference-profile:begin", await registry.GetCardAsync("iris", 1), StringComparison.Ordinal);
        }

        // Try-it reaches the embedded server's own models through the gateway (pseudo-deployment _gateway), and iris is
        // explained with the server's monitoring profile as background (its feature names too).
        var me = System.Text.Json.JsonDocument.Parse(await dashboard.GetStringAsync("api/dashboard/me")).RootElement;
        var gatewayModels = me.GetProperty("gatewayModels").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Contains("iris", gatewayModels);
        Assert.DoesNotContain("simple", gatewayModels); // served by its deployment
        Assert.Contains("\"name\":\"iris\"", await dashboard.GetStringAsync("api/dashboard/tryit/_gateway/iris"), StringComparison.Ordinal);
        using (var explainBody = new StringContent("{\"instances\":[[6.1,2.8,4.7,1.2]]}", Encoding.UTF8, "application/json"))
        {
            using var explained = await dashboard.PostAsync("api/dashboard/tryit/_gateway/iris/explain", explainBody);
            var text = await explained.Content.ReadAsStringAsync();
            Assert.True(explained.IsSuccessStatusCode, text);
            var data = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("data");
            Assert.Equal(Turbine.Samples.SampleRepository.IrisFeatureNames, data.GetProperty("feature_names").EnumerateArray().Select(n => n.GetString()!));
            Assert.Equal(4, data.GetProperty("shap_values")[0][0].GetArrayLength());
        }

        // The payload browser reads the embedded server's payload log (on by default under up).
        await server.WaitForLineAsync(new System.Text.RegularExpressions.Regex(@"^  payloads: \S+dashboard/#/payloads"), TimeSpan.FromSeconds(5));
        var payloads = System.Text.Json.JsonDocument.Parse(await dashboard.GetStringAsync("api/dashboard/payloads?model=iris&limit=200")).RootElement;
        Assert.True(payloads.GetProperty("records").EnumerateArray().Count(r => r.GetProperty("status").GetString() == "ok") >= 2, payloads.ToString());
    }

    private async Task<string> CreateRepoAsync()
    {
        var repo = Path.Combine(_root, "repo");
        var (code, output) = await TurbineProcess.RunAsync("samples", "create", repo);
        Assert.True(code == 0, output);
        return repo;
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout + await stderr);
    }
}
