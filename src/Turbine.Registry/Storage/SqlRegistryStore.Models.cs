using System.Globalization;
using System.Text;
using Turbine.Registry.Domain;

namespace Turbine.Registry.Storage;

internal sealed partial class SqlRegistryStore
{
    public async Task<RegistryResult<RegisteredModel>> CreateModelAsync(string name, string description, string owner, IReadOnlyDictionary<string, string> tags, string actor, CancellationToken cancellationToken)
    {
        await using (var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            var now = Now();
            try
            {
                await ExecuteAsync(scope,
                    "INSERT INTO models (name, description, owner, latest_version, created_at, updated_at) VALUES (@name, @description, @owner, 0, @now, @now)",
                    cancellationToken, ("@name", name), ("@description", description), ("@owner", owner), ("@now", now)).ConfigureAwait(false);
            }
            catch (Exception e) when (dialect.IsUniqueViolation(e))
            {
                return RegistryError.Conflict($"model '{name}' already exists");
            }

            await WriteTagsAsync(scope, name, tags, cancellationToken).ConfigureAwait(false);
            await AppendAuditAsync(scope, actor, "model.create", name, null, new { description, owner, tags }, cancellationToken).ConfigureAwait(false);
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return (await GetModelAsync(name, cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken)
    {
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        return await LoadModelAsync(scope, name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RegistryResult<RegisteredModel>> UpdateModelAsync(string name, string? description, string? owner, IReadOnlyDictionary<string, string>? tags, string actor, CancellationToken cancellationToken)
    {
        await using (var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            var updated = await ExecuteAsync(scope,
                "UPDATE models SET description = COALESCE(@description, description), owner = COALESCE(@owner, owner), updated_at = @now WHERE name = @name",
                cancellationToken, ("@description", description), ("@owner", owner), ("@now", Now()), ("@name", name)).ConfigureAwait(false);
            if (updated == 0)
            {
                return RegistryError.NotFound($"model '{name}' not found");
            }

            if (tags is not null)
            {
                await ExecuteAsync(scope, "DELETE FROM model_tags WHERE model = @name", cancellationToken, ("@name", name)).ConfigureAwait(false);
                await WriteTagsAsync(scope, name, tags, cancellationToken).ConfigureAwait(false);
            }

            await AppendAuditAsync(scope, actor, "model.update", name, null, new { description, owner, tags }, cancellationToken).ConfigureAwait(false);
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return (await GetModelAsync(name, cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<IReadOnlyList<RegisteredModel>> SearchModelsAsync(ModelQuery query, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("SELECT m.name FROM models m WHERE 1 = 1");
        var parameters = new List<(string, object?)>();
        for (var i = 0; i < query.Tags.Count; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND EXISTS (SELECT 1 FROM model_tags t WHERE t.model = m.name AND t.key = @tk{i} AND t.value = @tv{i})");
            parameters.Add(($"@tk{i}", query.Tags[i].Key));
            parameters.Add(($"@tv{i}", query.Tags[i].Value));
        }

        if (query.Stage is { } stage)
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM versions v WHERE v.model = m.name AND v.stage = @stage)");
            parameters.Add(("@stage", stage.ToString()));
        }

        if (query.DatasetUri is { } dataset)
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM versions v WHERE v.model = m.name AND v.dataset_uri = @dataset)");
            parameters.Add(("@dataset", dataset));
        }

        if (query.Metric is { } metric)
        {
            // The operator comes from MetricFilter's fixed set, never from raw input.
            sql.Append(CultureInfo.InvariantCulture, $" AND EXISTS (SELECT 1 FROM version_metrics x WHERE x.model = m.name AND x.key = @mkey AND x.value {metric.Operator} @mvalue)");
            parameters.Add(("@mkey", metric.Key));
            parameters.Add(("@mvalue", metric.Value));
        }

        if (!string.IsNullOrEmpty(query.Text))
        {
            sql.Append(" AND (LOWER(m.name) LIKE @q ESCAPE '\\' OR LOWER(m.description) LIKE @q ESCAPE '\\')");
            var escaped = query.Text.ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
            parameters.Add(("@q", $"%{escaped}%"));
        }

        sql.Append(" ORDER BY m.name");
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var names = await QueryAsync(scope, sql.ToString(), r => r.GetString(0), cancellationToken, [.. parameters]).ConfigureAwait(false);
        var models = new List<RegisteredModel>(names.Count);
        foreach (var name in names)
        {
            if (await LoadModelAsync(scope, name, cancellationToken).ConfigureAwait(false) is { } model)
            {
                models.Add(model);
            }
        }

        return models;
    }

    public async Task<(long Models, IReadOnlyList<(string Stage, long Versions)> VersionsByStage)> CountAsync(CancellationToken cancellationToken)
    {
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var models = Convert.ToInt64(await ScalarAsync(scope, "SELECT COUNT(*) FROM models", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var stages = await QueryAsync(scope, "SELECT stage, COUNT(*) FROM versions GROUP BY stage ORDER BY stage", r => (r.GetString(0), r.GetInt64(1)), cancellationToken).ConfigureAwait(false);
        return (models, stages);
    }

    public async Task<RegistryResult<string>> GetCardAsync(string model, long? version, CancellationToken cancellationToken)
    {
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = version is null
            ? await QueryAsync(scope, "SELECT card FROM models WHERE name = @model", r => NullableString(r, 0), cancellationToken, ("@model", model)).ConfigureAwait(false)
            : await QueryAsync(scope, "SELECT card FROM versions WHERE model = @model AND version = @version", r => NullableString(r, 0), cancellationToken, ("@model", model), ("@version", version)).ConfigureAwait(false);
        return rows.Count == 0 ? NotFound(model, version) : rows[0] ?? "";
    }

    public async Task<RegistryError?> SetCardAsync(string model, long? version, string markdown, string actor, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var updated = version is null
            ? await ExecuteAsync(scope, "UPDATE models SET card = @card, updated_at = @now WHERE name = @model", cancellationToken, ("@card", markdown), ("@now", Now()), ("@model", model)).ConfigureAwait(false)
            : await ExecuteAsync(scope, "UPDATE versions SET card = @card WHERE model = @model AND version = @version", cancellationToken, ("@card", markdown), ("@model", model), ("@version", version)).ConfigureAwait(false);
        if (updated == 0)
        {
            return NotFound(model, version);
        }

        await AppendAuditAsync(scope, actor, version is null ? "model.card" : "version.card", model, version, new { length = markdown.Length }, cancellationToken).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }

    private static RegistryError NotFound(string model, long? version) =>
        RegistryError.NotFound(version is null ? $"model '{model}' not found" : $"model '{model}' version {version} not found");

    private static async Task WriteTagsAsync(Scope scope, string model, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        foreach (var (key, value) in tags)
        {
            await ExecuteAsync(scope, "INSERT INTO model_tags (model, key, value) VALUES (@model, @key, @value)",
                cancellationToken, ("@model", model), ("@key", key), ("@value", value)).ConfigureAwait(false);
        }
    }

    private static async Task<RegisteredModel?> LoadModelAsync(Scope scope, string name, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(scope,
            "SELECT name, description, owner, created_at, updated_at, latest_version FROM models WHERE name = @name",
            r => (Name: r.GetString(0), Description: r.GetString(1), Owner: r.GetString(2), Created: r.GetString(3), Updated: r.GetString(4), Latest: r.GetInt64(5)),
            cancellationToken, ("@name", name)).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return null;
        }

        var row = rows[0];
        var tags = await QueryAsync(scope, "SELECT key, value FROM model_tags WHERE model = @name ORDER BY key",
            r => KeyValuePair.Create(r.GetString(0), r.GetString(1)), cancellationToken, ("@name", name)).ConfigureAwait(false);
        var aliases = await QueryAsync(scope, "SELECT alias, version FROM aliases WHERE model = @name ORDER BY alias",
            r => KeyValuePair.Create(r.GetString(0), r.GetInt64(1)), cancellationToken, ("@name", name)).ConfigureAwait(false);
        var stages = await QueryAsync(scope, "SELECT stage, MAX(version) FROM versions WHERE model = @name AND stage <> 'None' GROUP BY stage ORDER BY stage",
            r => KeyValuePair.Create(r.GetString(0), r.GetInt64(1)), cancellationToken, ("@name", name)).ConfigureAwait(false);
        return new RegisteredModel(row.Name, row.Description, row.Owner, new Dictionary<string, string>(tags, StringComparer.Ordinal),
            ParseTime(row.Created), ParseTime(row.Updated), row.Latest == 0 ? null : row.Latest,
            new Dictionary<string, long>(aliases, StringComparer.Ordinal), new Dictionary<string, long>(stages, StringComparer.Ordinal));
    }
}
