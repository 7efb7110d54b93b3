using System.Diagnostics.CodeAnalysis;

namespace Turbine.Core;

/// <summary>A value or an <see cref="InferenceError"/>; expected failures travel as values, not exceptions.</summary>
public readonly struct Result<T>
{
    private Result(T? value, InferenceError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public InferenceError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => Error is null;

    public static Result<T> Ok(T value) => new(value, null);

    public static Result<T> Fail(InferenceError error) => new(default, error);

    public static implicit operator Result<T>(InferenceError error) => Fail(error);
}
