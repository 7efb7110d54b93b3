using Turbine.Core.Tensors;

namespace Turbine.Core.Scheduling;

/// <summary>The sequence parameters of a request: <c>sequence_id</c>, <c>sequence_start</c>, <c>sequence_end</c>.</summary>
internal sealed record SequenceRequest(CorrelationId Id, bool Start, bool End)
{
    /// <summary>
    /// Reads the parameters. Returns null with no error when the request names no sequence (no <c>sequence_id</c>,
    /// or 0 / ""), and an error naming the parameter when one has the wrong type.
    /// </summary>
    public static Result<SequenceRequest?> Parse(IReadOnlyDictionary<string, InferParameter>? parameters)
    {
        if (parameters is null || !parameters.TryGetValue("sequence_id", out var id))
        {
            return Result<SequenceRequest?>.Ok(null);
        }

        CorrelationId correlation;
        switch (id.Kind)
        {
            case InferParameterKind.String:
                correlation = new CorrelationId(0, id.StringValue);
                break;
            case InferParameterKind.UInt64:
                correlation = new CorrelationId(id.UInt64Value, null);
                break;
            default:
                if (!id.TryGetInt64(out var number) || number < 0)
                {
                    return InferenceError.InvalidArgument($"parameter 'sequence_id' must be an unsigned integer or a string, got {id}");
                }

                correlation = new CorrelationId((ulong)number, null);
                break;
        }

        var start = Flag(parameters, "sequence_start");
        if (!start.IsOk)
        {
            return start.Error;
        }

        var end = Flag(parameters, "sequence_end");
        if (!end.IsOk)
        {
            return end.Error;
        }

        return correlation.IsNone
            ? Result<SequenceRequest?>.Ok(null)
            : Result<SequenceRequest?>.Ok(new SequenceRequest(correlation, start.Value, end.Value));
    }

    private static Result<bool> Flag(IReadOnlyDictionary<string, InferParameter> parameters, string name)
    {
        if (!parameters.TryGetValue(name, out var value))
        {
            return Result<bool>.Ok(false);
        }

        if (value.TryGetBool(out var flag))
        {
            return Result<bool>.Ok(flag);
        }

        return InferenceError.InvalidArgument($"parameter '{name}' must be a bool, got {value}");
    }
}
