using System.Data.Common;
using System.Globalization;
using Turbine.Control.Specs;

namespace Turbine.Control.Storage;

/// <summary>Desired state: apply (generation on change), get, list, delete, pause.</summary>
public abstract partial class SqlControlStore
{
    public async Task<ControlResult<DeploymentRecord>> ApplyAsync(string name, string yaml, DeploymentSpec spec, CancellationToken cancellationToken = default)
    {
        if (CheckName(name) is { } invalid)
        {
            return ControlResult<DeploymentRecord>.Fail(invalid);
        }

        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(spec);
        if (!string.Equals(spec.Name, name, StringComparison.Ordinal))
        {
            return ControlResult<DeploymentRecord>.Fail(ControlErrorKind.Invalid, $"the spec is named '{spec.Name}', not '{name}'");
        }

        var now = Now();
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var existing = await ReadDeploymentRowAsync(scope, name, _dialect.LockForUpdate, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            // A concurrent writer may create the same deployment between our read and this insert (PostgreSQL): then
            // nothing is inserted, the insert has waited for that writer's commit, and the row is read again, locked.
            var inserted = await ExecuteAsync(scope,
                $"INSERT INTO deployments ({DeploymentColumns}) VALUES (@name, 1, @yaml, 0, @now, @now) ON CONFLICT (name) DO NOTHING",
                cancellationToken, ("@name", name), ("@yaml", yaml), ("@now", now)).ConfigureAwait(false);
            if (inserted == 1)
            {
                await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
                return ControlResult<DeploymentRecord>.Ok(new DeploymentRow(name, 1, yaml, false, now, now).ToRecord(spec));
            }

            existing = await ReadDeploymentRowAsync(scope, name, _dialect.LockForUpdate, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"deployment '{name}' was neither inserted nor found in {Description}");
        }

        var old = existing.Value;
        if (string.Equals(old.Yaml, yaml, StringComparison.Ordinal))
        {
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
            return ControlResult<DeploymentRecord>.Ok(old.ToRecord(spec));
        }

        var stored = old with { Generation = old.Generation + 1, Yaml = yaml, UpdatedAt = now };
        await ExecuteAsync(scope, "UPDATE deployments SET generation = @generation, yaml = @yaml, updated_at = @now WHERE name = @name", cancellationToken,
            ("@generation", stored.Generation), ("@yaml", yaml), ("@now", now), ("@name", name)).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ControlResult<DeploymentRecord>.Ok(stored.ToRecord(spec));
    }

    public async Task<ControlResult<DeploymentRecord>> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        if (CheckName(name) is { } invalid)
        {
            return ControlResult<DeploymentRecord>.Fail(invalid);
        }

        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var row = await ReadDeploymentRowAsync(scope, name, "", cancellationToken).ConfigureAwait(false);
        return row is { } found ? found.Parse() : ControlResult<DeploymentRecord>.Fail(ControlErrorKind.NotFound, $"no deployment '{name}'");
    }

    public async Task<IReadOnlyList<ControlResult<DeploymentRecord>>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync(scope, $"SELECT {DeploymentColumns} FROM deployments ORDER BY name", DeploymentRow.From, cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(row => row.Parse());
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!IsValidName(name))
        {
            return false;
        }

        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);

        // Deleting the row first takes its lock: writers holding it (an append, an upsert) finish before, and the
        // deletes below see what they committed; writers that come after find no deployment.
        var deleted = await ExecuteAsync(scope, "DELETE FROM deployments WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false);
        await ExecuteAsync(scope, "DELETE FROM events WHERE deployment = @name", cancellationToken, ("@name", name)).ConfigureAwait(false);
        await ExecuteAsync(scope, "DELETE FROM replicas WHERE deployment = @name", cancellationToken, ("@name", name)).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted > 0;
    }

    public async Task<ControlResult<DeploymentRecord>> SetPausedAsync(string name, bool paused, CancellationToken cancellationToken = default)
    {
        if (CheckName(name) is { } invalid)
        {
            return ControlResult<DeploymentRecord>.Fail(invalid);
        }

        var now = Now();
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var row = await ReadDeploymentRowAsync(scope, name, _dialect.LockForUpdate, cancellationToken).ConfigureAwait(false);
        if (row is not { } found)
        {
            return ControlResult<DeploymentRecord>.Fail(ControlErrorKind.NotFound, $"no deployment '{name}'");
        }

        if (found.Paused == paused)
        {
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
            return found.Parse();
        }

        await ExecuteAsync(scope, "UPDATE deployments SET paused = @paused, updated_at = @now WHERE name = @name", cancellationToken,
            ("@paused", paused ? 1L : 0L), ("@now", now), ("@name", name)).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (found with { Paused = paused, UpdatedAt = now }).Parse();
    }
}
