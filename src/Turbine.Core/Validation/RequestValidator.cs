using System.Collections.Immutable;
using Turbine.Core.Config;
using Turbine.Core.Tensors;
using Turbine.Protocol;

namespace Turbine.Core.Validation;

/// <summary>
/// Checks a request against a model's config before it is queued: input names (missing, unexpected,
/// duplicated), data types, shapes, batch size, byte sizes and BYTES framing, requested outputs and their
/// parameters. Messages name the tensor, the expected and the actual value.
/// </summary>
internal static class RequestValidator
{
    /// <summary>Validates the request; on success returns the batch size (1 for non-batching models).</summary>
    public static Result<long> Validate(ModelConfig config, InferenceRequest request)
    {
        var model = config.Name;
        var parameterError = CheckRequestParameters(request.Parameters);
        if (parameterError is not null)
        {
            return parameterError;
        }

        long batch = -1;
        Span<bool> seen = config.Inputs.Length <= 64 ? stackalloc bool[config.Inputs.Length] : new bool[config.Inputs.Length];
        foreach (var input in request.Inputs)
        {
            var index = IndexOf(config.Inputs, input.Name);
            if (index < 0)
            {
                return InferenceError.InvalidArgument(
                    $"unexpected inference input '{input.Name}' for model '{model}'; expected inputs are {NameList(config.Inputs.Select(i => i.Name))}");
            }

            if (seen[index])
            {
                return InferenceError.InvalidArgument($"input '{input.Name}' appears more than once in the request for model '{model}'");
            }

            seen[index] = true;
            var spec = config.Inputs[index];
            if (input.DataType != spec.DataType)
            {
                return InferenceError.InvalidArgument(
                    $"input '{input.Name}' for model '{model}': expected datatype {spec.DataType.ToWireName()}, got {input.DataType.ToWireName()}");
            }

            var error = CheckShape(config, input.Name, "input", spec.Dims, input.Shape, ref batch);
            if (error is not null)
            {
                return error;
            }

            error = CheckData(model, input);
            if (error is not null)
            {
                return error;
            }
        }

        for (var i = 0; i < config.Inputs.Length; i++)
        {
            if (!seen[i] && !config.Inputs[i].Optional)
            {
                var missing = new List<string>();
                for (var j = 0; j < config.Inputs.Length; j++)
                {
                    if (!seen[j] && !config.Inputs[j].Optional)
                    {
                        missing.Add(config.Inputs[j].Name);
                    }
                }

                return InferenceError.InvalidArgument(
                    $"model '{model}' expects {config.Inputs.Count(c => !c.Optional)} inputs, got {request.Inputs.Count}: missing required input(s) {NameList(missing)}");
            }
        }

        for (var i = 0; i < request.Outputs.Count; i++)
        {
            var output = request.Outputs[i];
            var index = IndexOf(config.Outputs, output.Name);
            if (index < 0)
            {
                return InferenceError.InvalidArgument(
                    $"unexpected inference output '{output.Name}' for model '{model}'; the model's outputs are {NameList(config.Outputs.Select(o => o.Name))}");
            }

            for (var j = 0; j < i; j++)
            {
                if (request.Outputs[j].Name == output.Name)
                {
                    return InferenceError.InvalidArgument($"output '{output.Name}' is requested more than once for model '{model}'");
                }
            }

            if (output.Parameters is not null && output.Parameters.TryGetValue("binary_data", out var binaryData) &&
                binaryData.Kind != InferParameterKind.Bool)
            {
                return InferenceError.InvalidArgument(
                    $"output '{output.Name}': parameter 'binary_data' expects a bool, got {Describe(binaryData)}");
            }

            if (output.Parameters is not null && output.Parameters.TryGetValue("classification", out var k) &&
                (!k.TryGetInt64(out var kv) || kv < 1))
            {
                return InferenceError.InvalidArgument(
                    $"output '{output.Name}': parameter 'classification' expects a positive integer, got {k}");
            }

            if (output.ClassificationCount > 0 && config.Outputs[index].DataType is TensorDataType.Bytes or TensorDataType.Bool)
            {
                return InferenceError.InvalidArgument(
                    $"output '{output.Name}': classification needs a numeric output, but its datatype is {config.Outputs[index].DataType.ToWireName()}");
            }
        }

        return Result<long>.Ok(config.MaxBatchSize > 0 ? Math.Max(batch, 1) : 1);
    }

    /// <summary>
    /// The well-known request parameters must have their type: a wrong one is refused rather than ignored (a
    /// <c>timeout: "x"</c> silently meaning "no timeout" hides the client's bug). Unknown parameters pass through;
    /// the sequence parameters are checked where they mean something (<see cref="Scheduling.SequenceRequest"/>).
    /// </summary>
    private static InferenceError? CheckRequestParameters(Dictionary<string, InferParameter>? parameters)
    {
        if (parameters is null)
        {
            return null;
        }

        foreach (var (name, value) in parameters)
        {
            var expected = name switch
            {
                "priority" => value.TryGetInt64(out var p) && p >= 0 ? null : "a non-negative integer (0 = the model's default level)",
                "timeout" => value.TryGetInt64(out var t) && t >= 0 ? null : "a non-negative integer (microseconds)",
                "binary_data_output" => value.Kind == InferParameterKind.Bool ? null : "a bool",
                _ => null,
            };
            if (expected is not null)
            {
                return InferenceError.InvalidArgument($"request parameter '{name}' expects {expected}, got {Describe(value)}");
            }
        }

        return null;
    }

    /// <summary>A parameter value with its kind, for messages: <c>string "x"</c>, <c>bool true</c>.</summary>
    private static string Describe(InferParameter value) => value.Kind switch
    {
        InferParameterKind.String => $"string \"{value.StringValue}\"",
        InferParameterKind.Bool => $"bool {value}",
        InferParameterKind.Double => $"number {value}",
        _ => $"integer {value}",
    };

    private static InferenceError? CheckShape(ModelConfig config, string name, string kind, ImmutableArray<long> dims, long[] shape, ref long batch)
    {
        ReadOnlySpan<long> rest = shape;
        // Formatted only for an error message: every request used to build it (a StringBuilder and strings per input).
        string Expected() => config.MaxBatchSize > 0 ? TensorShape.Format([-1, .. dims]) : TensorShape.Format(dims.AsSpan());
        if (config.MaxBatchSize > 0)
        {
            if (shape.Length == 0)
            {
                return InferenceError.InvalidArgument(
                    $"{kind} '{name}' for model '{config.Name}': expected shape {Expected()}, got [] (the first dimension is the batch size)");
            }

            var b = shape[0];
            if (b < 1 || b > config.MaxBatchSize)
            {
                return InferenceError.InvalidArgument(
                    $"{kind} '{name}' for model '{config.Name}': batch size must be between 1 and max_batch_size {config.MaxBatchSize}, got {b}");
            }

            if (batch >= 0 && b != batch)
            {
                return InferenceError.InvalidArgument(
                    $"{kind} '{name}' for model '{config.Name}': batch size {b} differs from the batch size {batch} of the other inputs");
            }

            batch = b;
            rest = shape.AsSpan(1);
        }

        foreach (var d in shape)
        {
            if (d < 0)
            {
                return InferenceError.InvalidArgument(
                    $"{kind} '{name}' for model '{config.Name}': shape {TensorShape.Format(shape)} has a negative dimension");
            }
        }

        if (!TensorShape.Matches(dims.AsSpan(), rest))
        {
            return InferenceError.InvalidArgument(
                $"{kind} '{name}' for model '{config.Name}': expected shape {Expected()}, got {TensorShape.Format(shape)}");
        }

        return null;
    }

    private static InferenceError? CheckData(string model, InferenceTensor input)
    {
        var elements = input.ElementCount;
        if (elements < 0)
        {
            return InferenceError.InvalidArgument($"input '{input.Name}' for model '{model}': shape {TensorShape.Format(input.Shape)} is too large");
        }

        if (input.DataType == TensorDataType.Bytes)
        {
            var count = BytesTensor.CountElements(input.Data.Span, out var problem);
            if (count < 0)
            {
                return InferenceError.InvalidArgument($"input '{input.Name}' for model '{model}': {problem}");
            }

            if (count != elements)
            {
                return InferenceError.InvalidArgument(
                    $"input '{input.Name}' for model '{model}': shape {TensorShape.Format(input.Shape)} needs {elements} BYTES elements, got {count}");
            }

            return null;
        }

        var size = input.DataType.ElementSize();
        if (elements > long.MaxValue / size)
        {
            return InferenceError.InvalidArgument($"input '{input.Name}' for model '{model}': shape {TensorShape.Format(input.Shape)} is too large");
        }

        if (input.Data.Length != elements * size)
        {
            return InferenceError.InvalidArgument(
                $"input '{input.Name}' for model '{model}': shape {TensorShape.Format(input.Shape)} of {input.DataType.ToWireName()} needs {elements * size} bytes ({elements} elements), got {input.Data.Length} bytes");
        }

        return null;
    }

    private static int IndexOf(ImmutableArray<ModelInput> inputs, string name)
    {
        for (var i = 0; i < inputs.Length; i++)
        {
            if (inputs[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static int IndexOf(ImmutableArray<ModelOutput> outputs, string name)
    {
        for (var i = 0; i < outputs.Length; i++)
        {
            if (outputs[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static string NameList(IEnumerable<string> names) => "[" + string.Join(", ", names.Select(n => $"'{n}'")) + "]";
}
