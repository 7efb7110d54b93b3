using System.Data.Common;
using System.Globalization;
using Turbine.Control.Specs;

namespace Turbine.Control.Storage;

/// <summary>Replica records, kept so a restarted controller can adopt its replicas.</summary>
public abstract partial class SqlControlStore
{
    public async Task<ControlResult<ReplicaRecord>> UpsertReplicaAsync(string deployment, string replicaId, int pid, int httpPort, int grpcPort, string version, string state, CancellationToken cancellationToken = default)
    {
        if (CheckName(deployment) is { } invalid)
        {
            return ControlResult<ReplicaRecord>.Fail(invalid);
        }

        if (string.IsNullOrWhiteSpace(replicaId) || replicaId.Length > 128 || pid <= 0 || httpPort is < 0 or > 65535 || grpcPort is < 0 or > 65535
            || version is null || version.Length > 256 || string.IsNullOrWhiteSpace(state) || state.Length > IControlStore.MaxReplicaStateLength)
        {
            return ControlResult<ReplicaRecord>.Fail(ControlErrorKind.Invalid, "a replica needs an id (1..128 chars), a positive pid, ports 0..65535, a version (..256) and a state (1.." + IControlStore.MaxReplicaStateLength + " chars)");
        }

        var now = Now();
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        if (!await DeploymentExistsAsync(scope, deployment, _dialect.LockForShare, cancellationToken).ConfigureAwait(false))
        {
            return ControlResult<ReplicaRecord>.Fail(ControlErrorKind.NotFound, $"no deployment '{deployment}'");
        }

        await ExecuteAsync(scope,
            """
            INSERT INTO replicas (deployment, replica_id, pid, http_port, grpc_port, version, state, updated_at)
            VALUES (@deployment, @id, @pid, @http, @grpc, @version, @state, @now)
            ON CONFLICT (deployment, replica_id) DO UPDATE SET pid = excluded.pid, http_port = excluded.http_port,
                grpc_port = excluded.grpc_port, version = excluded.version, state = excluded.state, updated_at = excluded.updated_at
            """,
            cancellationToken, ("@deployment", deployment), ("@id", replicaId), ("@pid", (long)pid), ("@http", (long)httpPort), ("@grpc", (long)grpcPort),
            ("@version", version), ("@state", state), ("@now", now)).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ControlResult<ReplicaRecord>.Ok(new ReplicaRecord(deployment, replicaId, pid, httpPort, grpcPort, version, state, DateTimeOffset.FromUnixTimeMilliseconds(now)));
    }

    public async Task<ControlResult<IReadOnlyList<ReplicaRecord>>> ListReplicasAsync(string deployment, CancellationToken cancellationToken = default)
    {
        if (CheckName(deployment) is { } invalid)
        {
            return ControlResult<IReadOnlyList<ReplicaRecord>>.Fail(invalid);
        }

        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var replicas = await QueryAsync(scope,
            "SELECT replica_id, pid, http_port, grpc_port, version, state, updated_at FROM replicas WHERE deployment = @deployment ORDER BY replica_id",
            reader => new ReplicaRecord(deployment, reader.GetString(0), Int(reader, 1), Int(reader, 2), Int(reader, 3),
                reader.GetString(4), reader.GetString(5), DateTimeOffset.FromUnixTimeMilliseconds(Long(reader, 6))),
            cancellationToken, ("@deployment", deployment)).ConfigureAwait(false);
        return ControlResult<IReadOnlyList<ReplicaRecord>>.Ok(replicas);
    }

    public async Task<bool> DeleteReplicaAsync(string deployment, string replicaId, CancellationToken cancellationToken = default)
    {
        if (!IsValidName(deployment) || string.IsNullOrEmpty(replicaId))
        {
            return false;
        }

        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var deleted = await ExecuteAsync(scope, "DELETE FROM replicas WHERE deployment = @deployment AND replica_id = @id", cancellationToken,
            ("@deployment", deployment), ("@id", replicaId)).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted > 0;
    }
}
