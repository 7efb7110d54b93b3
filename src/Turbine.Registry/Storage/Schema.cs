namespace Turbine.Registry.Storage;

/// <summary>The registry tables, one definition for both databases (the dialect fills in three column types).</summary>
internal static class Schema
{
    public static IEnumerable<string> Statements(SqlDialect d)
    {
        var integer = d.IntegerType;
        yield return $"""
            CREATE TABLE IF NOT EXISTS models (
                name TEXT PRIMARY KEY, description TEXT NOT NULL, owner TEXT NOT NULL, card TEXT,
                latest_version {integer} NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)
            """;
        yield return "CREATE TABLE IF NOT EXISTS model_tags (model TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model, key))";
        yield return $"""
            CREATE TABLE IF NOT EXISTS versions (
                model TEXT NOT NULL, version {integer} NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
                description TEXT NOT NULL, stage TEXT NOT NULL, artifact_sha256 TEXT NOT NULL, artifact_size {integer} NOT NULL,
                packing TEXT NOT NULL, file_name TEXT, format TEXT NOT NULL, signature TEXT, card TEXT,
                dataset_uri TEXT, dataset_digest TEXT, code_repository TEXT, code_commit TEXT, run_id TEXT, parent_version {integer},
                PRIMARY KEY (model, version))
            """;
        yield return "CREATE INDEX IF NOT EXISTS versions_dataset_uri ON versions (dataset_uri)";
        yield return "CREATE INDEX IF NOT EXISTS versions_dataset_digest ON versions (dataset_digest)";
        yield return "CREATE INDEX IF NOT EXISTS versions_code_commit ON versions (code_commit)";
        yield return "CREATE INDEX IF NOT EXISTS versions_run_id ON versions (run_id)";
        yield return $"CREATE TABLE IF NOT EXISTS version_metrics (model TEXT NOT NULL, version {integer} NOT NULL, key TEXT NOT NULL, value {d.RealType} NOT NULL, PRIMARY KEY (model, version, key))";
        yield return $"CREATE TABLE IF NOT EXISTS version_params (model TEXT NOT NULL, version {integer} NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model, version, key))";
        yield return $"CREATE TABLE IF NOT EXISTS aliases (model TEXT NOT NULL, alias TEXT NOT NULL, version {integer} NOT NULL, PRIMARY KEY (model, alias))";
        yield return $"""
            CREATE TABLE IF NOT EXISTS audit (
                id {d.IdentityColumn}, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                model TEXT, version {integer}, details TEXT NOT NULL)
            """;
        yield return "CREATE INDEX IF NOT EXISTS audit_model ON audit (model, id)";
        yield return $"""
            CREATE TABLE IF NOT EXISTS tokens (
                id {d.IdentityColumn}, name TEXT NOT NULL, role TEXT NOT NULL, models TEXT NOT NULL,
                secret_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT)
            """;
        // Who uploaded each blob: a version may only point at a digest its creator uploaded (or can already read).
        // Created on start by both databases, so an existing registry gains it without a separate migration.
        yield return "CREATE TABLE IF NOT EXISTS artifact_uploads (sha256 TEXT NOT NULL, uploader TEXT NOT NULL, uploaded_at TEXT NOT NULL, PRIMARY KEY (sha256, uploader))";
        yield return "CREATE INDEX IF NOT EXISTS versions_artifact_sha256 ON versions (artifact_sha256)";
        foreach (var statement in d.AppendOnlyAuditStatements)
        {
            yield return statement;
        }
    }
}
