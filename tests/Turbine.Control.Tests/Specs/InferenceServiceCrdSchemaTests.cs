using System.Text.Json.Nodes;
using Turbine.Control.Specs;

namespace Turbine.Control.Tests.Specs;

/// <summary>The manifests Turbine accepts are valid InferenceServices by KServe's own CRD schema, and the field lists agree with it.</summary>
public sealed class InferenceServiceCrdSchemaTests
{
    public static TheoryData<int> ValidManifests => new(Enumerable.Range(0, SpecManifests.Valid.Count()));

    [Theory]
    [MemberData(nameof(ValidManifests))]
    public void ValidManifest_PassesTurbineAndTheCrdSchema(int index)
    {
        var yaml = SpecManifests.Valid.ElementAt(index);

        Assert.True(InferenceServiceParser.Parse(yaml, "isvc.yaml").Succeeded);
        var results = CrdSchema.Validate(CrdSchema.InferenceService.Schema, yaml);
        Assert.True(results.IsValid, CrdSchema.Describe(results));
    }

    [Theory]
    [MemberData(nameof(ValidManifests))]
    public void ValidManifest_PassesTheStrictCrdSchema(int index)
    {
        // No field KServe does not know: kubectl's default --validate=strict would refuse one.
        var results = CrdSchema.Validate(CrdSchema.InferenceService.StrictSchema, SpecManifests.Valid.ElementAt(index));

        Assert.True(results.IsValid, CrdSchema.Describe(results));
    }

    [Theory]
    [InlineData("minReplicas: 1", "minReplicas: \"1\"")]
    [InlineData("minReplicas: 1", "minReplicas: one")]
    [InlineData("minReplicas: 1", "scaleMetric: gpu")]
    [InlineData("name: triton", "version: \"2\"")]
    [InlineData("minReplicas: 1", "minReplicas: [1]")]
    public void BadManifest_FailsBothTurbineAndTheCrdSchema(string find, string replace)
    {
        var yaml = SpecManifests.TritonFile.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(SpecManifests.TritonFile, yaml);

        Assert.False(InferenceServiceParser.Parse(yaml, "isvc.yaml").Succeeded);
        Assert.False(CrdSchema.Validate(CrdSchema.InferenceService.Schema, yaml).IsValid);
    }

    [Fact]
    public void UnknownField_FailsTurbineAndTheStrictCrdSchema()
    {
        var yaml = SpecManifests.TritonFile.Replace("minReplicas: 1", "minReplica: 1", StringComparison.Ordinal);

        Assert.False(InferenceServiceParser.Parse(yaml, "isvc.yaml").Succeeded);
        Assert.True(CrdSchema.Validate(CrdSchema.InferenceService.Schema, yaml).IsValid, "the lax schema prunes unknown fields");
        Assert.False(CrdSchema.Validate(CrdSchema.InferenceService.StrictSchema, yaml).IsValid);
    }

    [Fact]
    public void CrdAsset_ShipsWithItsLicenceAndSource()
    {
        Assert.Contains("Apache License", File.ReadAllText(Path.Combine(CrdSchema.KServeFolder, "LICENSE")), StringComparison.Ordinal);
        Assert.Contains("kserve/kserve", File.ReadAllText(Path.Combine(CrdSchema.KServeFolder, "SOURCE.md")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spec")]
    [InlineData("spec.predictor")]
    [InlineData("spec.predictor.model")]
    [InlineData("spec.predictor.model.modelFormat")]
    public void FieldLists_CoverExactlyTheCrdProperties(string path)
    {
        var node = path.Split('.').Aggregate((JsonNode)CrdSchema.InferenceService.Node, (n, part) => n["properties"]![part]!);
        var crd = node["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToList();

        var (known, ignored, unsupported) = path switch
        {
            "spec" => (InferenceServiceFields.Spec, [], InferenceServiceFields.SpecUnsupported.Keys),
            "spec.predictor" => (InferenceServiceFields.Predictor, InferenceServiceFields.PredictorIgnored.Keys, InferenceServiceFields.PredictorUnsupported.Keys),
            "spec.predictor.model" => (InferenceServiceFields.Model, InferenceServiceFields.ModelIgnored.Keys, InferenceServiceFields.ModelUnsupported.Keys),
            _ => (InferenceServiceFields.ModelFormat, (IEnumerable<string>)[], (IEnumerable<string>)[]),
        };
        var turbine = known.Concat(ignored).Concat(unsupported).ToList();

        Assert.Equal(turbine.Count, turbine.Distinct().Count());
        Assert.Equal(crd, turbine.Order(StringComparer.Ordinal));
    }
}
