using System.Data.Common;
using System.Text.Json;
using Turbine.Registry.Artifacts;
using Turbine.Registry.Domain;

namespace Turbine.Registry.Storage;

internal sealed partial class SqlRegistryStore
{
    private const string VersionColumns =
        "v.model, v.version, v.created_at, v.created_by, v.description, v.stage, v.artifact_sha256, v.artifact_size, v.packing, v.file_name, " +
        "v.format, v.signature, v.dataset_uri, v.dataset_digest, v.code_repository, v.code_commit, v.run_id, v.parent_version";

    public async Task<RegistryResult<ModelVersion>> CreateVersionAsync(string model, NewModelVersion version, string actor, CancellationToken cancellationToken)
    {
        long number;
        await using (var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            // The counter row is the serialisation point: concurrent pushes to one model queue on its row lock
            // (PostgreSQL) or on the single writer (SQLite), so numbers are 1, 2, 3… with no gap or duplicate.
            var next = await ScalarAsync(scope,
                "UPDATE models SET latest_version = latest_version + 1, updated_at = @now WHERE name = @model RETURNING latest_version",
                cancellationToken, ("@now", Now()), ("@model", model)).ConfigureAwait(false);
            if (next is null)
            {
                return RegistryError.NotFound($"model '{model}' not found");
            }

            number = Convert.ToInt64(next, System.Globalization.CultureInfo.InvariantCulture);
            var lineage = version.Lineage;
            if (lineage.ParentVersion is { } parent && (parent < 1 || parent >= number))
            {
                return RegistryError.Invalid("invalid_lineage", $"lineage.parentVersion {parent} is not an existing version of '{model}' (1..{number - 1})");
            }

            await ExecuteAsync(scope,
                "INSERT INTO versions (model, version, created_at, created_by, description, stage, artifact_sha256, artifact_size, packing, file_name, " +
                "format, signature, dataset_uri, dataset_digest, code_repository, code_commit, run_id, parent_version) VALUES " +
                "(@model, @version, @now, @actor, @description, 'None', @sha, @size, @packing, @file, @format, @signature, @dsuri, @dsdigest, @repo, @commit, @run, @parent)",
                cancellationToken,
                ("@model", model), ("@version", number), ("@now", Now()), ("@actor", actor), ("@description", version.Description),
                ("@sha", version.Artifact.Sha256), ("@size", version.Artifact.Size), ("@packing", version.Artifact.Packing.ToString().ToLowerInvariant()),
                ("@file", version.Artifact.FileName), ("@format", version.Format),
                ("@signature", version.Signature is null ? null : JsonSerializer.Serialize(version.Signature, Json)),
                ("@dsuri", lineage.DatasetUri), ("@dsdigest", lineage.DatasetDigest), ("@repo", lineage.CodeRepository),
                ("@commit", lineage.CodeCommit), ("@run", lineage.RunId), ("@parent", lineage.ParentVersion)).ConfigureAwait(false);
            foreach (var (key, value) in version.Metrics)
            {
                await ExecuteAsync(scope, "INSERT INTO version_metrics (model, version, key, value) VALUES (@model, @version, @key, @value)",
                    cancellationToken, ("@model", model), ("@version", number), ("@key", key), ("@value", value)).ConfigureAwait(false);
            }

            foreach (var (key, value) in version.Params)
            {
                await ExecuteAsync(scope, "INSERT INTO version_params (model, version, key, value) VALUES (@model, @version, @key, @value)",
                    cancellationToken, ("@model", model), ("@version", number), ("@key", key), ("@value", value)).ConfigureAwait(false);
            }

            await AppendAuditAsync(scope, actor, "version.create", model, number,
                new { sha256 = version.Artifact.Sha256, format = version.Format }, cancellationToken).ConfigureAwait(false);
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return (await GetVersionAsync(model, number, cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<ModelVersion?> GetVersionAsync(string model, long version, CancellationToken cancellationToken)
    {
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var list = await LoadVersionsAsync(scope, "v.model = @model AND v.version = @version", cancellationToken, ("@model", model), ("@version", version)).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    public async Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string model, ModelStage? stage, CancellationToken cancellationToken)
    {
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        return stage is null
            ? await LoadVersionsAsync(scope, "v.model = @model", cancellationToken, ("@model", model)).ConfigureAwait(false)
            : await LoadVersionsAsync(scope, "v.model = @model AND v.stage = @stage", cancellationToken, ("@model", model), ("@stage", stage.ToString())).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ModelVersion>> FindByLineageAsync(LineageField field, string value, CancellationToken cancellationToken)
    {
        var column = field switch
        {
            LineageField.DatasetUri => "dataset_uri",
            LineageField.DatasetDigest => "dataset_digest",
            LineageField.CodeCommit => "code_commit",
            _ => "run_id",
        };
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        return await LoadVersionsAsync(scope, $"v.{column} = @value", cancellationToken, ("@value", value)).ConfigureAwait(false);
    }

    public async Task<RegistryResult<ModelVersion>> SetStageAsync(string model, long version, ModelStage stage, bool archiveExisting, string actor, CancellationToken cancellationToken)
    {
        await using (var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            var current = await QueryAsync(scope, "SELECT stage FROM versions WHERE model = @model AND version = @version",
                r => r.GetString(0), cancellationToken, ("@model", model), ("@version", version)).ConfigureAwait(false);
            if (current.Count == 0)
            {
                return NotFound(model, version);
            }

            if (archiveExisting && stage is ModelStage.Staging or ModelStage.Production)
            {
                var holders = await QueryAsync(scope, "SELECT version FROM versions WHERE model = @model AND stage = @stage AND version <> @version ORDER BY version",
                    r => r.GetInt64(0), cancellationToken, ("@model", model), ("@stage", stage.ToString()), ("@version", version)).ConfigureAwait(false);
                foreach (var holder in holders)
                {
                    await ExecuteAsync(scope, "UPDATE versions SET stage = 'Archived' WHERE model = @model AND version = @version",
                        cancellationToken, ("@model", model), ("@version", holder)).ConfigureAwait(false);
                    await AppendAuditAsync(scope, actor, "version.stage", model, holder,
                        new { from = stage.ToString(), to = nameof(ModelStage.Archived), reason = $"version {version} moved to {stage}" }, cancellationToken).ConfigureAwait(false);
                }
            }

            await ExecuteAsync(scope, "UPDATE versions SET stage = @stage WHERE model = @model AND version = @version",
                cancellationToken, ("@stage", stage.ToString()), ("@model", model), ("@version", version)).ConfigureAwait(false);
            await ExecuteAsync(scope, "UPDATE models SET updated_at = @now WHERE name = @model", cancellationToken, ("@now", Now()), ("@model", model)).ConfigureAwait(false);
            await AppendAuditAsync(scope, actor, "version.stage", model, version, new { from = current[0], to = stage.ToString(), archiveExisting }, cancellationToken).ConfigureAwait(false);
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return (await GetVersionAsync(model, version, cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<RegistryError?> SetAliasAsync(string model, string alias, long version, string actor, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var exists = await ScalarAsync(scope, "SELECT COUNT(*) FROM versions WHERE model = @model AND version = @version",
            cancellationToken, ("@model", model), ("@version", version)).ConfigureAwait(false);
        if (Convert.ToInt64(exists, System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return NotFound(model, version);
        }

        var previous = await ScalarAsync(scope, "SELECT version FROM aliases WHERE model = @model AND alias = @alias",
            cancellationToken, ("@model", model), ("@alias", alias)).ConfigureAwait(false);
        await ExecuteAsync(scope,
            "INSERT INTO aliases (model, alias, version) VALUES (@model, @alias, @version) ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version",
            cancellationToken, ("@model", model), ("@alias", alias), ("@version", version)).ConfigureAwait(false);
        await AppendAuditAsync(scope, actor, "alias.set", model, version, new { alias, previous }, cancellationToken).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }

    public async Task<bool> DeleteAliasAsync(string model, string alias, string actor, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var previous = await ScalarAsync(scope, "DELETE FROM aliases WHERE model = @model AND alias = @alias RETURNING version",
            cancellationToken, ("@model", model), ("@alias", alias)).ConfigureAwait(false);
        if (previous is null)
        {
            return false;
        }

        await AppendAuditAsync(scope, actor, "alias.delete", model, Convert.ToInt64(previous, System.Globalization.CultureInfo.InvariantCulture), new { alias }, cancellationToken).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<long?> FindAliasAsync(string model, string alias, CancellationToken cancellationToken)
    {
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var value = await ScalarAsync(scope, "SELECT version FROM aliases WHERE model = @model AND alias = @alias",
            cancellationToken, ("@model", model), ("@alias", alias)).ConfigureAwait(false);
        return value is null ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Versions matching a WHERE clause over <c>versions v</c>, with metrics, params and aliases: four queries.</summary>
    private static async Task<List<ModelVersion>> LoadVersionsAsync(Scope scope, string where, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var rows = await QueryAsync(scope, $"SELECT {VersionColumns} FROM versions v WHERE {where} ORDER BY v.model, v.version", ReadVersionRow, cancellationToken, parameters).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return [];
        }

        var metrics = await QueryAsync(scope,
            $"SELECT x.model, x.version, x.key, x.value FROM version_metrics x JOIN versions v ON v.model = x.model AND v.version = x.version WHERE {where} ORDER BY x.key",
            r => (Key: (r.GetString(0), r.GetInt64(1)), Name: r.GetString(2), Value: r.GetDouble(3)), cancellationToken, parameters).ConfigureAwait(false);
        var parms = await QueryAsync(scope,
            $"SELECT x.model, x.version, x.key, x.value FROM version_params x JOIN versions v ON v.model = x.model AND v.version = x.version WHERE {where} ORDER BY x.key",
            r => (Key: (r.GetString(0), r.GetInt64(1)), Name: r.GetString(2), Value: r.GetString(3)), cancellationToken, parameters).ConfigureAwait(false);
        var aliases = await QueryAsync(scope,
            $"SELECT x.model, x.version, x.alias FROM aliases x JOIN versions v ON v.model = x.model AND v.version = x.version WHERE {where} ORDER BY x.alias",
            r => (Key: (r.GetString(0), r.GetInt64(1)), Name: r.GetString(2)), cancellationToken, parameters).ConfigureAwait(false);
        var metricsBy = metrics.ToLookup(m => m.Key);
        var paramsBy = parms.ToLookup(p => p.Key);
        var aliasesBy = aliases.ToLookup(a => a.Key);
        return rows.Select(row =>
        {
            var key = (row.Model, row.Version);
            return row with
            {
                Metrics = metricsBy[key].ToDictionary(m => m.Name, m => m.Value, StringComparer.Ordinal),
                Params = paramsBy[key].ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal),
                Aliases = aliasesBy[key].Select(a => a.Name).ToArray(),
            };
        }).ToList();
    }

    private static ModelVersion ReadVersionRow(DbDataReader r)
    {
        var packing = Enum.Parse<ArtifactPacking>(r.GetString(8), ignoreCase: true);
        var signatureJson = NullableString(r, 11);
        return new ModelVersion(
            r.GetString(0), r.GetInt64(1), ParseTime(r.GetString(2)), r.GetString(3), r.GetString(4),
            Enum.Parse<ModelStage>(r.GetString(5)), [],
            new VersionArtifact(r.GetString(6), r.GetInt64(7), packing, NullableString(r, 9)),
            r.GetString(10),
            signatureJson is null ? null : JsonSerializer.Deserialize<ModelSignature>(signatureJson, Json),
            new Dictionary<string, double>(), new Dictionary<string, string>(),
            new VersionLineage(NullableString(r, 12), NullableString(r, 13), NullableString(r, 14), NullableString(r, 15), NullableString(r, 16), NullableLong(r, 17)));
    }
}
