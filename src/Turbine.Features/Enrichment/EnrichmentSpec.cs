using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;
using Turbine.Features.Definitions;

namespace Turbine.Features.Enrichment;

/// <summary>A feature of an enriched input tensor, in tensor order, with the value used when it is missing (none: missing is an error).</summary>
public sealed record EnrichmentFeature(string Reference, double? Default);

/// <summary>
/// How a model's input tensor is built from features: the request's entity columns, the feature service, the
/// tensor's name and datatype (FP32, FP64, INT64), and the features in order with their defaults. Written next to
/// the model as <c>features.yaml</c>:
/// <code>
/// feature_service: fraud_v1
/// input: { name: INPUT0, datatype: FP32 }
/// features:
///   - { ref: user_stats:spend_7d, default: 0 }
///   - { ref: txn_derived:amount_vs_avg }
/// </code>
/// When <c>features</c> is omitted the service's features are used in its order, with no defaults.
/// </summary>
public sealed record EnrichmentSpec(string FeatureService, string InputName, string Datatype, IReadOnlyList<EnrichmentFeature>? Features)
{
    public static EnrichmentSpec Parse(string yaml, string what = "features.yaml")
    {
        Dto dto;
        try
        {
            dto = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build().Deserialize<Dto>(yaml) ?? new Dto();
        }
        catch (YamlException e)
        {
            throw new FeatureRepoException($"{what}: line {e.Start.Line}: {(e.InnerException ?? e).Message}", e);
        }

        var datatype = dto.Input?.Datatype ?? "FP32";
        if (datatype is not ("FP32" or "FP64" or "INT64"))
        {
            throw new FeatureRepoException($"{what}: input.datatype '{datatype}': expected FP32, FP64 or INT64");
        }

        return new EnrichmentSpec(
            dto.FeatureService ?? throw new FeatureRepoException($"{what}: 'feature_service' is required"),
            dto.Input?.Name ?? throw new FeatureRepoException($"{what}: 'input.name' is required"),
            datatype,
            dto.Features?.Select(f => new EnrichmentFeature(f.Ref ?? throw new FeatureRepoException($"{what}: a feature without 'ref'"), f.Default)).ToArray());
    }

#pragma warning disable CA1002, CA2227, CA1812 // deserialization targets
    private sealed class Dto
    {
        public string? FeatureService { get; set; }
        public InputDto? Input { get; set; }
        public List<FeatureDto>? Features { get; set; }
    }

    private sealed class InputDto
    {
        public string? Name { get; set; }
        public string? Datatype { get; set; }
    }

    private sealed class FeatureDto
    {
        public string? Ref { get; set; }
        public double? Default { get; set; }
    }
#pragma warning restore CA1002, CA2227, CA1812
}
