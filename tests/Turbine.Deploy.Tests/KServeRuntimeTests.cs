using System.Text.Json.Nodes;
using Turbine.Control.Rendering;
using Turbine.Control.Specs;

namespace Turbine.Deploy.Tests;

/// <summary>
/// deploy/kserve: the ClusterServingRuntime, the namespaced ServingRuntime and the example InferenceService are valid by
/// KServe's own CRDs (strict: an unknown field fails as <c>kubectl apply</c> would refuse it), agree with the renderer's
/// runtime, and the example is a Turbine deployment spec too.
/// </summary>
public sealed class KServeRuntimeTests
{
    public static TheoryData<string> Files => new("clusterservingruntime.yaml", "servingruntime.yaml", "inferenceservice.yaml");

    [Theory]
    [MemberData(nameof(Files))]
    public void DeployKServe_Object_ValidByStrictCrd(string file)
    {
        var obj = Read(file);
        var results = CrdSchema.Validate(CrdSchema.ForKServeKind((string)obj["kind"]!).StrictSchema, obj);
        Assert.True(results.IsValid, CrdSchema.Describe(results));
    }

    [Theory]
    [InlineData("ClusterServingRuntime", "clusterservingruntime.yaml", null)]
    [InlineData("ServingRuntime", "servingruntime.yaml", null)]
    public void DeployKServe_Runtime_IsTheRenderersRuntime(string kind, string file, string? ns)
    {
        var rendered = TurbineContainer.ServingRuntime(kind, RenderOptions.DefaultImage, ns);
        var written = Read(file);
        Assert.True(JsonNode.DeepEquals(rendered, written), $"deploy/kserve/{file} differs from TurbineContainer.ServingRuntime:\n{written.ToJsonString()}\n{rendered.ToJsonString()}");
    }

    [Fact]
    public void DeployKServe_Runtime_ServesOnnxAndTritonOverV2FromMntModels()
    {
        var spec = Read("clusterservingruntime.yaml")["spec"]!;
        Assert.Equal(["onnx", "triton"], spec["supportedModelFormats"]!.AsArray().Select(f => (string)f!["name"]!));
        Assert.All(spec["supportedModelFormats"]!.AsArray(), f => Assert.True((bool)f!["autoSelect"]! && (int)f["priority"]! == 2));
        Assert.Equal(["v2", "grpc-v2"], spec["protocolVersions"]!.AsArray().Select(p => (string)p!));
        Assert.Equal("8002", (string?)spec["annotations"]!["prometheus.kserve.io/port"]);
        var args = Manifests.Args(spec["containers"]![0]!.AsObject());
        Assert.Equal("/mnt/models", Manifests.Flag(args, "--model-repository"));
        Assert.Equal("8080", Manifests.Flag(args, "--http-port"));
    }

    [Fact]
    public void DeployKServe_InferenceService_IsATurbineSpecOnTheTurbineRuntime()
    {
        var result = InferenceServiceParser.Parse(File.ReadAllText(Path.Combine(DeployTools.KServeFolder, "inferenceservice.yaml")), "inferenceservice.yaml");
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal("turbine", result.Spec!.Predictor.Model.Runtime);
        Assert.Equal(ModelFormat.Onnx, result.Spec.Predictor.Model.Format);
        Assert.Equal((1, 4), (result.Spec.Predictor.MinReplicas, result.Spec.Predictor.MaxReplicas));
    }

    [Fact]
    public void CrdSchema_InvalidRuntimeField_Fails()
    {
        var runtime = Read("clusterservingruntime.yaml");
        var format = runtime["spec"]!["supportedModelFormats"]![0]!.AsObject();
        format["autoselect"] = true; // a typo: kubectl's strict validation refuses the unknown field
        Assert.False(CrdSchema.Validate(CrdSchema.ClusterServingRuntime.StrictSchema, runtime).IsValid);

        var wrongType = Read("clusterservingruntime.yaml");
        wrongType["spec"]!["supportedModelFormats"]![0]!["priority"] = "high";
        var results = CrdSchema.Validate(CrdSchema.ClusterServingRuntime.Schema, wrongType);
        Assert.False(results.IsValid);
        Assert.Contains("/spec/supportedModelFormats/0/priority", CrdSchema.Describe(results), StringComparison.Ordinal);
    }

    private static JsonObject Read(string file) =>
        Manifests.Normalize(CrdSchema.YamlToJson(File.ReadAllText(Path.Combine(DeployTools.KServeFolder, file)))!.AsObject());
}
