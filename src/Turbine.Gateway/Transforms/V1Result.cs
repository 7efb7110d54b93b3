using System.Diagnostics.CodeAnalysis;

namespace Turbine.Gateway.Transforms;

/// <summary>A translated value or the <see cref="V1Error"/> to answer instead; the shape of the engine's <c>Result&lt;T&gt;</c>.</summary>
internal readonly struct V1Result<T>
{
    private V1Result(T? value, V1Error? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public V1Error? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => Error is null;

    public static implicit operator V1Result<T>(T value) => new(value, null);

    public static implicit operator V1Result<T>(V1Error error) => new(default, error);
}
