using System.Diagnostics.CodeAnalysis;

namespace Turbine.Registry.Domain;

/// <summary>A value or a <see cref="RegistryError"/>; expected failures travel as values, as the engine's <c>Result&lt;T&gt;</c> does.</summary>
internal readonly struct RegistryResult<T>
{
    private RegistryResult(T? value, RegistryError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public RegistryError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => Error is null;

    public static RegistryResult<T> Ok(T value) => new(value, null);

    public static RegistryResult<T> Fail(RegistryError error) => new(default, error);

    public static implicit operator RegistryResult<T>(T value) => Ok(value);

    public static implicit operator RegistryResult<T>(RegistryError error) => Fail(error);
}
