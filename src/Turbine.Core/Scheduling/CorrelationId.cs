using System.Globalization;

namespace Turbine.Core.Scheduling;

/// <summary>A sequence's correlation id: an unsigned integer or a string (Triton's <c>sequence_id</c>).</summary>
internal readonly record struct CorrelationId(ulong Number, string? Text)
{
    public bool IsString => Text is not null;

    /// <summary>0 and "" mean "no sequence".</summary>
    public bool IsNone => Text is null ? Number == 0 : Text.Length == 0;

    public override string ToString() => Text is null ? Number.ToString(CultureInfo.InvariantCulture) : $"'{Text}'";
}
