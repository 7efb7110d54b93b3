namespace Turbine.Control.Storage;

/// <summary>Why a control-store call failed.</summary>
public enum ControlErrorKind
{
    /// <summary>A name or argument was refused before any SQL ran.</summary>
    Invalid,

    /// <summary>The deployment (or replica) does not exist.</summary>
    NotFound,

    /// <summary>A stored row can no longer be read (its YAML no longer parses).</summary>
    Corrupt,

    /// <summary>Something the call depends on failed (the registry, a replica process, the file system); retrying may help.</summary>
    Unavailable,

    /// <summary>The call conflicts with the current state (for example a rollout command with no rollout in progress).</summary>
    Conflict,
}

/// <summary>A control-store failure, returned as a value rather than thrown.</summary>
public sealed record ControlError(ControlErrorKind Kind, string Message);

/// <summary>Either a value or a <see cref="ControlError"/>.</summary>
public sealed class ControlResult<T>
{
    private ControlResult(T? value, ControlError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public ControlError? Error { get; }

    public bool IsOk => Error is null;

    public static ControlResult<T> Ok(T value) => new(value, null);

    public static ControlResult<T> Fail(ControlErrorKind kind, string message) => new(default, new ControlError(kind, message));

    public static ControlResult<T> Fail(ControlError error) => new(default, error);
}
