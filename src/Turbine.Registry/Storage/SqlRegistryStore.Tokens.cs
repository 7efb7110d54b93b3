using System.Data.Common;
using System.Globalization;
using System.Text;
using Turbine.Registry.Domain;

namespace Turbine.Registry.Storage;

internal sealed partial class SqlRegistryStore
{
    private const string TokenColumns = "id, name, role, models, created_at, revoked_at";

    public async Task<ApiToken> CreateTokenAsync(string name, TokenRole role, string models, string secretHash, string actor, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var id = await ScalarAsync(scope,
            "INSERT INTO tokens (name, role, models, secret_hash, created_at) VALUES (@name, @role, @models, @hash, @now) RETURNING id",
            cancellationToken, ("@name", name), ("@role", role.ToString().ToLowerInvariant()), ("@models", models), ("@hash", secretHash), ("@now", Now())).ConfigureAwait(false);
        var tokenId = Convert.ToInt64(id, CultureInfo.InvariantCulture);
        await AppendAuditAsync(scope, actor, "token.create", null, null, new { id = tokenId, name, role = role.ToString().ToLowerInvariant(), models }, cancellationToken).ConfigureAwait(false);
        var created = await QueryAsync(scope, $"SELECT {TokenColumns} FROM tokens WHERE id = @id", ReadToken, cancellationToken, ("@id", tokenId)).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return created[0];
    }

    public async Task<IReadOnlyList<ApiToken>> ListTokensAsync(CancellationToken cancellationToken)
    {
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        return await QueryAsync(scope, $"SELECT {TokenColumns} FROM tokens ORDER BY id", ReadToken, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RevokeTokenAsync(long id, string actor, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var updated = await ExecuteAsync(scope, "UPDATE tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL",
            cancellationToken, ("@now", Now()), ("@id", id)).ConfigureAwait(false);
        if (updated == 0)
        {
            return false;
        }

        await AppendAuditAsync(scope, actor, "token.revoke", null, null, new { id }, cancellationToken).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<ApiToken?> FindTokenAsync(string secretHash, CancellationToken cancellationToken)
    {
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync(scope, $"SELECT {TokenColumns} FROM tokens WHERE secret_hash = @hash AND revoked_at IS NULL",
            ReadToken, cancellationToken, ("@hash", secretHash)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAuditAsync(string? model, int limit, long? before, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("SELECT id, at, actor, action, model, version, details FROM audit WHERE 1 = 1");
        var parameters = new List<(string, object?)>();
        if (model is not null)
        {
            sql.Append(" AND model = @model");
            parameters.Add(("@model", model));
        }

        if (before is not null)
        {
            sql.Append(" AND id < @before");
            parameters.Add(("@before", before));
        }

        sql.Append(" ORDER BY id DESC LIMIT @limit");
        parameters.Add(("@limit", (long)limit));
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        return await QueryAsync(scope, sql.ToString(),
            r => new AuditEntry(r.GetInt64(0), ParseTime(r.GetString(1)), r.GetString(2), r.GetString(3), NullableString(r, 4), NullableLong(r, 5), r.GetString(6)),
            cancellationToken, [.. parameters]).ConfigureAwait(false);
    }

    private static ApiToken ReadToken(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), Enum.Parse<TokenRole>(r.GetString(2), ignoreCase: true), r.GetString(3),
            ParseTime(r.GetString(4)), NullableString(r, 5) is { } revoked ? ParseTime(revoked) : null);
}
