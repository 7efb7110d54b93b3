using System.Data.Common;
using System.Globalization;
using Turbine.Control.Specs;

namespace Turbine.Control.Storage;

/// <summary>Events: append (bounded per deployment, in the same transaction) and list newest first.</summary>
public abstract partial class SqlControlStore
{
    public async Task<ControlResult<ControlEvent>> AppendEventAsync(string name, ControlEventKind kind, string reason, string message, CancellationToken cancellationToken = default)
    {
        if (CheckName(name) is { } invalid)
        {
            return ControlResult<ControlEvent>.Fail(invalid);
        }

        if (!Enum.IsDefined(kind))
        {
            return ControlResult<ControlEvent>.Fail(ControlErrorKind.Invalid, "an event kind is Normal or Warning");
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 128)
        {
            return ControlResult<ControlEvent>.Fail(ControlErrorKind.Invalid, "an event reason is 1 to 128 characters");
        }

        message ??= string.Empty;
        if (message.Length > _options.MaxEventMessageLength)
        {
            message = message[.._options.MaxEventMessageLength];
        }

        var now = Now();
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);

        // The deployment row is locked for update, not share: appends to one deployment run one at a time, so ids grow
        // in commit order and the trim below sees every earlier append (the bound holds exactly).
        if (!await DeploymentExistsAsync(scope, name, _dialect.LockForUpdate, cancellationToken).ConfigureAwait(false))
        {
            return ControlResult<ControlEvent>.Fail(ControlErrorKind.NotFound, $"no deployment '{name}'");
        }

        var id = Convert.ToInt64(await ScalarAsync(scope,
            "INSERT INTO events (deployment, kind, reason, message, at) VALUES (@name, @kind, @reason, @message, @at) RETURNING id",
            cancellationToken, ("@name", name), ("@kind", kind.ToString()), ("@reason", reason), ("@message", message), ("@at", now)).ConfigureAwait(false),
            CultureInfo.InvariantCulture);
        await ExecuteAsync(scope,
            "DELETE FROM events WHERE deployment = @name AND id NOT IN (SELECT id FROM events WHERE deployment = @name ORDER BY id DESC LIMIT @keep)",
            cancellationToken, ("@name", name), ("@keep", (long)_options.MaxEventsPerDeployment)).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ControlResult<ControlEvent>.Ok(new ControlEvent(id, name, kind, reason, message, DateTimeOffset.FromUnixTimeMilliseconds(now)));
    }

    public async Task<ControlResult<IReadOnlyList<ControlEvent>>> ListEventsAsync(string name, int limit, CancellationToken cancellationToken = default)
    {
        if (CheckName(name) is { } invalid)
        {
            return ControlResult<IReadOnlyList<ControlEvent>>.Fail(invalid);
        }

        if (limit is < 1 or > MaxEventsLimit)
        {
            return ControlResult<IReadOnlyList<ControlEvent>>.Fail(ControlErrorKind.Invalid, $"limit must be 1 to {MaxEventsLimit}");
        }

        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var events = await QueryAsync(scope, "SELECT id, kind, reason, message, at FROM events WHERE deployment = @name ORDER BY id DESC LIMIT @limit",
            reader => new ControlEvent(
                Long(reader, 0),
                name,
                Enum.TryParse<ControlEventKind>(reader.GetString(1), out var parsed) && Enum.IsDefined(parsed) ? parsed : ControlEventKind.Warning,
                reader.GetString(2),
                reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(Long(reader, 4))),
            cancellationToken, ("@name", name), ("@limit", (long)limit)).ConfigureAwait(false);
        return ControlResult<IReadOnlyList<ControlEvent>>.Ok(events);
    }
}
