using System.Diagnostics;
using System.Text.Json;
using Grpc.Core;
using Turbine.Core.Lifecycle;
using Turbine.Core.Repository;
using Turbine.Protocol.Grpc;
using Turbine.Server.Tests.Grpc;

namespace Turbine.Server.Tests.Security;

/// <summary>
/// Issue 11 item 1: a config override on the (unauthenticated) repository load API names files outside the model
/// folder, links leading out of it, a FIFO, a device and an oversized file. Each is a load failure naming the field
/// and the value as written (never the resolved path, never a line of the file), the previously loaded version keeps
/// serving, and classification still answers with the model's own labels.
/// </summary>
public sealed class ModelFileAttackTests
{
    private const int LabelLimit = 1024;

    /// <summary>label_filename values an attacker tries; the repository is prepared with the links, FIFO and big file.</summary>
    public static readonly TheoryData<string> LabelAttacks = ["/etc/passwd", "../../../../../../../../etc/passwd", "../simple/config.pbtxt", "escape.txt", "etc/passwd", "fifo.txt", "zero", "big.txt", "1"];

    [Fact]
    public async Task RestLoad_ConfigOverrideNamingFilesOutsideTheFolder_400AndGoodModelStillClassifies()
    {
        await using var h = await StartAsync();
        foreach (var value in LabelAttacks)
        {
            var (status, body) = await h.PostJsonAsync("/v2/repository/models/iris/load", LoadBody(IrisConfig(value)));
            Assert.True(status == 400, $"{value}: {status} {body}");
            var error = body.GetProperty("error").GetString()!;
            AssertRefusal(error, "label_filename", value, h.Repository);
            await AssertIrisClassifiesAsync(h);
        }

        // The other fields that name files go through the same check.
        var (modelStatus, modelBody) = await h.PostJsonAsync("/v2/repository/models/iris/load", LoadBody(IrisConfig("labels.txt", modelFile: "/etc/passwd")));
        Assert.Equal(400, modelStatus);
        AssertRefusal(modelBody.GetProperty("error").GetString()!, "default_model_filename", "/etc/passwd", h.Repository);
        var (warmupStatus, warmupBody) = await h.PostJsonAsync("/v2/repository/models/iris/load", LoadBody(IrisConfig("labels.txt", warmupFile: "../../../../../etc/passwd")));
        Assert.Equal(400, warmupStatus);
        AssertRefusal(warmupBody.GetProperty("error").GetString()!, "input_data_file", "../../../../../etc/passwd", h.Repository);
        await AssertIrisClassifiesAsync(h);

        // A good override still loads afterwards.
        var (okStatus, okBody) = await h.PostJsonAsync("/v2/repository/models/iris/load", LoadBody(IrisConfig("labels.txt")));
        Assert.True(okStatus == 200, okBody.ToString());
        await AssertIrisClassifiesAsync(h);
    }

    [Fact]
    public async Task RestLoad_NeverLoadedModelWithPasswdLabels_StaysUnavailable()
    {
        await using var h = await StartAsync(loaded: ["simple"]);
        var (status, body) = await h.PostJsonAsync("/v2/repository/models/iris/load", LoadBody(IrisConfig("/etc/passwd")));
        Assert.Equal(400, status);
        AssertRefusal(body.GetProperty("error").GetString()!, "label_filename", "/etc/passwd", h.Repository);
        Assert.Equal(503, (await h.GetJsonAsync("/v2/models/iris/ready")).Status);
        Assert.Equal(200, (await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson())).Status);
    }

    [Fact]
    public async Task GrpcLoad_ConfigOverrideNamingFilesOutsideTheFolder_InvalidArgumentAndGoodModelStillClassifies()
    {
        await using var h = await StartAsync();
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        foreach (var value in LabelAttacks)
        {
            var load = new RepositoryModelLoadRequest { ModelName = "iris" };
            load.Parameters["config"] = new ModelRepositoryParameter { StringParam = IrisConfig(value) };
            var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.RepositoryModelLoadAsync(load));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            AssertRefusal(e.Status.Detail, "label_filename", value, h.Repository);
            await AssertIrisClassifiesAsync(h);
        }

        Assert.True((await c.Client.ServerReadyAsync(new ServerReadyRequest())).Ready);
    }

    internal static string IrisConfig(string labels, string? modelFile = null, string? warmupFile = null)
    {
        var config = new Dictionary<string, object>
        {
            ["name"] = "iris",
            ["platform"] = "onnxruntime_onnx",
            ["max_batch_size"] = 64,
            ["input"] = new[] { new { name = "input", data_type = "TYPE_FP32", dims = new[] { 4 } } },
            ["output"] = new[] { new { name = "probabilities", data_type = "TYPE_FP32", dims = new[] { 3 }, label_filename = labels } },
        };
        if (modelFile is not null)
        {
            config["default_model_filename"] = modelFile;
        }

        if (warmupFile is not null)
        {
            config["model_warmup"] = new[]
            {
                new { name = "w", batch_size = 1, inputs = new Dictionary<string, object> { ["input"] = new { data_type = "TYPE_FP32", dims = new[] { 4 }, input_data_file = warmupFile } } },
            };
        }

        return JsonSerializer.Serialize(config);
    }

    internal static void AssertRefusal(string error, string field, string value, string repository)
    {
        Assert.Contains($"{field} '{value}'", error, StringComparison.Ordinal);
        Assert.True(
            error.Contains("must be a relative path inside", StringComparison.Ordinal)
            || error.Contains("does not name a readable regular file inside the model folder", StringComparison.Ordinal)
            || error.Contains("is larger than the limit of", StringComparison.Ordinal),
            error);
        Assert.DoesNotContain(repository, error, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", error, StringComparison.Ordinal);
    }

    private static string LoadBody(string config) => $"{{\"parameters\":{{\"config\":{JsonSerializer.Serialize(config)}}}}}";

    private static async Task AssertIrisClassifiesAsync(ServerHarness h)
    {
        const string json = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]," +
            "\"outputs\":[{\"name\":\"probabilities\",\"parameters\":{\"classification\":3}}]}";
        var (status, body) = await h.PostJsonAsync("/v2/models/iris/infer", json);
        Assert.True(status == 200, body.ToString());
        var labels = body.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetString()!.Split(':')[^1]).Order().ToArray();
        Assert.Equal(["setosa", "versicolor", "virginica"], labels);
    }

    private static Task<ServerHarness> StartAsync(IReadOnlyList<string>? loaded = null) => ServerHarness.StartAsync(
        ModelControlMode.Explicit,
        loaded ?? ["simple", "iris"],
        prepare: repository =>
        {
            var iris = Path.Combine(repository, "iris");
            File.CreateSymbolicLink(Path.Combine(iris, "escape.txt"), "/etc/passwd");
            Directory.CreateSymbolicLink(Path.Combine(iris, "etc"), "/etc");
            File.CreateSymbolicLink(Path.Combine(iris, "zero"), "/dev/zero");
            File.WriteAllText(Path.Combine(iris, "big.txt"), string.Concat(Enumerable.Repeat("label\n", LabelLimit)));
            MakeFifo(Path.Combine(iris, "fifo.txt"));
        },
        configure: o => o with { Engine = o.Engine with { FileLimits = new ModelFileLimits { LabelBytes = LabelLimit } } });

    internal static void MakeFifo(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
