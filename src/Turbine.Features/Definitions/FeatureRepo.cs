namespace Turbine.Features.Definitions;

/// <summary>An entity: what features are keyed by (a user, a merchant), with its join key column and type.</summary>
public sealed record EntityDefinition(string Name, string JoinKey, FeatureType Type, string? Description);

/// <summary>Where a feature view's rows come from: a Parquet or CSV file (or a folder of them) under the repository, or an s3:// object or prefix.</summary>
public sealed record SourceDefinition(string Name, SourceFormat Format, string Path, string TimestampField, string? CreatedTimestampColumn)
{
    /// <summary>The S3 endpoint of an s3:// source (Feast's <c>s3_endpoint_override</c>); null: the AWS variables.</summary>
    public string? S3EndpointOverride { get; init; }
}

/// <summary>The format of a <see cref="SourceDefinition"/>.</summary>
public enum SourceFormat
{
    Parquet,
    Csv,
}

/// <summary>A named, typed feature column.</summary>
public sealed record FeatureField(string Name, FeatureType Type);

/// <summary>A feature view: features of one or more entities read from a source, valid for <see cref="Ttl"/> after their event time (zero: forever).</summary>
public sealed record FeatureViewDefinition(string Name, IReadOnlyList<string> Entities, TimeSpan Ttl, string Source, IReadOnlyList<FeatureField> Features, bool Online)
{
    public FeatureField? Feature(string name) => Features.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));
}

/// <summary>A feature of an on-demand view: its type and the expression that computes it.</summary>
public sealed record OnDemandFeature(string Name, FeatureType Type, string Expression);

/// <summary>Features computed at request time (and for training sets, by the same code) from request data and other views' features.</summary>
public sealed record OnDemandFeatureViewDefinition(string Name, IReadOnlyList<string> Sources, IReadOnlyList<FeatureField> RequestSchema, IReadOnlyList<OnDemandFeature> Features);

/// <summary>A named set of feature references (<c>view</c> for all its features, or <c>view:feature</c>) for a model.</summary>
public sealed record FeatureServiceDefinition(string Name, IReadOnlyList<string> Features, string? Description);

/// <summary>Which online store serves the repository.</summary>
public sealed record OnlineStoreConfig(string Type, string? Path, string? ConnectionString, int? KeyTtlSeconds)
{
    public const string Sqlite = "sqlite";
    public const string Redis = "redis";
}

/// <summary>A whole feature repository, validated: the immutable snapshot every other part reads.</summary>
public sealed record FeatureRepo(
    string Project,
    string Root,
    OnlineStoreConfig OnlineStore,
    int EntityKeySerializationVersion,
    IReadOnlyDictionary<string, EntityDefinition> Entities,
    IReadOnlyDictionary<string, SourceDefinition> Sources,
    IReadOnlyDictionary<string, FeatureViewDefinition> FeatureViews,
    IReadOnlyDictionary<string, OnDemandFeatureViewDefinition> OnDemandFeatureViews,
    IReadOnlyDictionary<string, FeatureServiceDefinition> FeatureServices)
{
    /// <summary>The join keys of <paramref name="view"/>, in its entities' order, with their types.</summary>
    public IReadOnlyList<EntityDefinition> EntitiesOf(FeatureViewDefinition view) => view.Entities.Select(e => Entities[e]).ToArray();
}
