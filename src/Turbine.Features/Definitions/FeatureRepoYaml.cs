namespace Turbine.Features.Definitions;

// What the user writes (YAML, snake_case keys); FeatureRepoLoader validates it into a FeatureRepo.
#pragma warning disable CA1002, CA2227 // plain deserialization targets
internal sealed class RepoFileYaml
{
    public string? Project { get; set; }
    public OnlineStoreYaml? OnlineStore { get; set; }
    public int? EntityKeySerializationVersion { get; set; }
    public List<EntityYaml>? Entities { get; set; }
    public List<SourceYaml>? Sources { get; set; }
    public List<FeatureViewYaml>? FeatureViews { get; set; }
    public List<OnDemandFeatureViewYaml>? OnDemandFeatureViews { get; set; }
    public List<FeatureServiceYaml>? FeatureServices { get; set; }
}

internal sealed class OnlineStoreYaml
{
    public string? Type { get; set; }
    public string? Path { get; set; }
    public string? ConnectionString { get; set; }
    public int? KeyTtlSeconds { get; set; }
}

internal sealed class EntityYaml
{
    public string? Name { get; set; }
    public string? JoinKey { get; set; }
    public string? ValueType { get; set; }
    public string? Description { get; set; }
}

internal sealed class SourceYaml
{
    public string? Name { get; set; }
    public string? Type { get; set; }
    public string? Path { get; set; }
    public string? TimestampField { get; set; }
    public string? CreatedTimestampColumn { get; set; }
    public string? S3EndpointOverride { get; set; }
}

internal sealed class FieldYaml
{
    public string? Name { get; set; }
    public string? Dtype { get; set; }
    public string? Expression { get; set; }
}

internal sealed class FeatureViewYaml
{
    public string? Name { get; set; }
    public List<string>? Entities { get; set; }
    public string? Ttl { get; set; }
    public string? Source { get; set; }
    public List<FieldYaml>? Schema { get; set; }
    public bool? Online { get; set; }
}

internal sealed class OnDemandFeatureViewYaml
{
    public string? Name { get; set; }
    public List<string>? Sources { get; set; }
    public List<FieldYaml>? RequestSchema { get; set; }
    public List<FieldYaml>? Schema { get; set; }
}

internal sealed class FeatureServiceYaml
{
    public string? Name { get; set; }
    public List<string>? Features { get; set; }
    public string? Description { get; set; }
}
#pragma warning restore CA1002, CA2227
