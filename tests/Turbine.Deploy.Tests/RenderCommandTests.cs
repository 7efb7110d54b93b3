using System.Text;

namespace Turbine.Deploy.Tests;

/// <summary><c>turbine control render</c> as a real process: output, files, exit codes, messages.</summary>
public sealed class RenderCommandTests
{
    private static Task<(int Code, string Stdout, string Stderr)> Turbine(params string[] args) =>
        DeployTools.RunAsync("dotnet", [DeployTools.TurbineDll, "control", "render", .. args]);

    [Fact]
    public async Task Render_KServeToStdout_ValidObjectsAndNotesOnStderr()
    {
        using var folder = new TempFolder("turbine-render");
        var spec = folder.Write("svc.yaml", Encoding.UTF8.GetBytes(RenderTests.Spec));
        var (code, stdout, stderr) = await Turbine("-f", spec, "--target", "kserve", "--namespace", "models");
        Assert.True(code == 0, stderr);
        Assert.Contains("turbine: note: metadata.annotations.turbine.dev/canary-steps: not rendered", stderr, StringComparison.Ordinal);
        Assert.StartsWith("# note: ", stdout, StringComparison.Ordinal);
        var objects = Manifests.Objects(stdout);
        Assert.Equal(["InferenceService", "ServingRuntime"], Manifests.Kinds(objects));
        foreach (var obj in objects)
        {
            var results = CrdSchema.Validate(CrdSchema.ForKServeKind((string)obj["kind"]!).StrictSchema, obj);
            Assert.True(results.IsValid, CrdSchema.Describe(results));
        }
    }

    [Fact]
    public async Task Render_KubernetesToFolder_OneValidFilePerObject()
    {
        using var folder = new TempFolder("turbine-render");
        var spec = folder.Write("svc.yaml", Encoding.UTF8.GetBytes(RenderTests.Spec));
        var output = Path.Combine(folder.Path, "out");
        var (code, stdout, stderr) = await Turbine("-f", spec, "--target", "kubernetes", "--output-dir", output);
        Assert.True(code == 0, stderr);
        var files = Directory.GetFiles(output).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["01-deployment-resnet.yaml", "02-service-resnet.yaml", "03-scaledobject-resnet.yaml", "04-podmonitor-resnet.yaml",
            "05-configmap-resnet-gateway-routes.yaml"], files);
        Assert.Equal(files.Select(f => Path.Combine(output, f)), stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var all = string.Concat(Directory.GetFiles(output).Order(StringComparer.Ordinal).Select(File.ReadAllText));
        var (valid, lines) = await DeployTools.ValidateAsync(all);
        Assert.True(valid == 0, string.Join("\n", lines));
        Assert.Equal("5 passed, 0 failed", lines[^1]);
    }

    [Fact]
    public async Task Render_InvalidSpec_ExitOneWithPositionsAndNothingWritten()
    {
        using var folder = new TempFolder("turbine-render");
        var spec = folder.Write("svc.yaml", Encoding.UTF8.GetBytes(RenderTests.Spec.Replace("minReplicas: 0", "minReplicas: many", StringComparison.Ordinal)));
        var (code, stdout, stderr) = await Turbine("-f", spec, "--target", "kubernetes");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("svc.yaml:11:18: spec.predictor.minReplicas:", stderr, StringComparison.Ordinal);
        Assert.Contains("1 error(s); nothing was rendered", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--target", "helm")]
    [InlineData("--namespace", "Bad_NS")]
    [InlineData("--prometheus-url", "ftp://x")]
    public async Task Render_BadFlag_ExitTwo(string flag, string value)
    {
        using var folder = new TempFolder("turbine-render");
        var spec = folder.Write("svc.yaml", Encoding.UTF8.GetBytes(RenderTests.Spec));
        string[] args = flag == "--target" ? ["-f", spec, flag, value] : ["-f", spec, "--target", "kubernetes", flag, value];
        var (code, _, stderr) = await Turbine(args);
        Assert.Equal(2, code);
        Assert.Contains(flag == "--target" ? "helm" : flag, stderr, StringComparison.Ordinal);
    }
}
