using Turbine.Registry.Domain;

namespace Turbine.Registry.Storage;

/// <summary>
/// The registry's metadata store. Every change is one transaction that also appends its audit entry, so the audit
/// log and the data never disagree. Implemented once in SQL (<see cref="SqlRegistryStore"/>) over SQLite or PostgreSQL.
/// </summary>
internal interface IRegistryStore : IAsyncDisposable
{
    /// <summary>Human-readable location, e.g. <c>sqlite:/data/registry.db</c>.</summary>
    string Description { get; }

    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>The new model, or 409 <c>already_exists</c>.</summary>
    Task<RegistryResult<RegisteredModel>> CreateModelAsync(string name, string description, string owner, IReadOnlyDictionary<string, string> tags, string actor, CancellationToken cancellationToken);

    Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken);

    /// <summary>The changed model, or 404 when there is none of that name.</summary>
    Task<RegistryResult<RegisteredModel>> UpdateModelAsync(string name, string? description, string? owner, IReadOnlyDictionary<string, string>? tags, string actor, CancellationToken cancellationToken);

    Task<IReadOnlyList<RegisteredModel>> SearchModelsAsync(ModelQuery query, CancellationToken cancellationToken);

    /// <summary>How many models there are, and how many versions per stage (for the metrics endpoint).</summary>
    Task<(long Models, IReadOnlyList<(string Stage, long Versions)> VersionsByStage)> CountAsync(CancellationToken cancellationToken);

    /// <summary>The model card (version null) or a version's card (empty when none was written); 404 when the model or version does not exist.</summary>
    Task<RegistryResult<string>> GetCardAsync(string model, long? version, CancellationToken cancellationToken);

    /// <summary>Null when stored; 404 when the model or version does not exist.</summary>
    Task<RegistryError?> SetCardAsync(string model, long? version, string markdown, string actor, CancellationToken cancellationToken);

    /// <summary>
    /// Assigns the next number atomically (1, 2, 3… without gaps or duplicates) and stores the version; 404 for an
    /// unknown model, 400 <c>invalid_lineage</c> for a parent version that does not exist (nothing stored either way).
    /// </summary>
    Task<RegistryResult<ModelVersion>> CreateVersionAsync(string model, NewModelVersion version, string actor, CancellationToken cancellationToken);

    Task<ModelVersion?> GetVersionAsync(string model, long version, CancellationToken cancellationToken);

    Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string model, ModelStage? stage, CancellationToken cancellationToken);

    /// <summary>The version in its new stage, or 404 when it does not exist.</summary>
    Task<RegistryResult<ModelVersion>> SetStageAsync(string model, long version, ModelStage stage, bool archiveExisting, string actor, CancellationToken cancellationToken);

    /// <summary>Null when stored; 404 when the version does not exist.</summary>
    Task<RegistryError?> SetAliasAsync(string model, string alias, long version, string actor, CancellationToken cancellationToken);

    /// <summary>False when the alias did not exist.</summary>
    Task<bool> DeleteAliasAsync(string model, string alias, string actor, CancellationToken cancellationToken);

    Task<long?> FindAliasAsync(string model, string alias, CancellationToken cancellationToken);

    /// <summary>Versions whose lineage field equals the value; field is one of the <see cref="LineageField"/> names.</summary>
    Task<IReadOnlyList<ModelVersion>> FindByLineageAsync(LineageField field, string value, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditEntry>> ListAuditAsync(string? model, int limit, long? before, CancellationToken cancellationToken);

    Task<ApiToken> CreateTokenAsync(string name, TokenRole role, string models, string secretHash, string actor, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiToken>> ListTokensAsync(CancellationToken cancellationToken);

    /// <summary>False when no unrevoked token has that id.</summary>
    Task<bool> RevokeTokenAsync(long id, string actor, CancellationToken cancellationToken);

    /// <summary>The unrevoked token with that secret hash, or null.</summary>
    Task<ApiToken?> FindTokenAsync(string secretHash, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="uploader"/> uploaded blob <paramref name="sha256"/>; false when it had already.</summary>
    Task<bool> RecordUploadAsync(string sha256, string uploader, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="uploader"/> uploaded blob <paramref name="sha256"/>.</summary>
    Task<bool> HasUploadedAsync(string sha256, string uploader, CancellationToken cancellationToken);

    /// <summary>The models with a version whose artifact is <paramref name="sha256"/>.</summary>
    Task<IReadOnlyList<string>> ModelsUsingArtifactAsync(string sha256, CancellationToken cancellationToken);
}
