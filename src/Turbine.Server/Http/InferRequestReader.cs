using System.Text.Json;
using Turbine.Core;
using Turbine.Core.Config;
using Turbine.Core.SharedMemory;
using Turbine.Core.Tensors;
using Turbine.Protocol;

namespace Turbine.Server.Http;

/// <summary>
/// Parses a REST inference request: the JSON header and, with the binary tensor data extension, the raw
/// sections that follow it. Binary inputs become views over the request body (no copy); JSON data is
/// converted once into pooled buffers.
/// </summary>
internal static partial class InferRequestReader
{
    public static Result<InferenceRequest> Read(string model, long? version, RequestBody body, int? headerLength)
    {
        var all = body.Memory;
        if (headerLength is { } h && (h < 0 || h > all.Length))
        {
            return InferenceError.InvalidArgument(
                $"Inference-Header-Content-Length {h} is out of range: the body has {all.Length} bytes");
        }

        var json = headerLength is { } hl ? all[..hl] : all;
        var binary = headerLength is { } hb ? all[hb..] : ReadOnlyMemory<byte>.Empty;
#pragma warning disable CA2000 // returned to the caller inside the Result; every error return disposes it
        var request = new InferenceRequest(model, version);
#pragma warning restore CA2000
        var binarySizes = _binarySizes ?? [];
        _binarySizes = null;
        var inputs = _inputs ?? [];
        _inputs = null;
        try
        {
            var parsed = ParseHeader(json.Span, request, binarySizes, inputs, out var dataRanges);
            if (parsed is not null)
            {
                request.Dispose();
                return parsed;
            }

            var error = AttachData(request, inputs, json, binary, binarySizes, dataRanges);
            if (error is not null)
            {
                request.Dispose();
                return error;
            }

            return Result<InferenceRequest>.Ok(request);
        }
        finally
        {
            // Reading is synchronous: the list goes back to this thread for its next request.
            binarySizes.Clear();
            _binarySizes = binarySizes;
            inputs.Clear(); // drops the names, shapes and parameters it pointed to
            _inputs = inputs;
        }
    }

    [ThreadStatic]
    private static List<(int Input, long Size)>? _binarySizes;

    [ThreadStatic]
    private static List<PendingInput>? _inputs;

    /// <summary>An input as the JSON header describes it, before its data is attached.</summary>
    private readonly record struct PendingInput(string Name, TensorDataType DataType, long[] Shape, Dictionary<string, InferParameter>? Parameters);

    /// <summary>
    /// <c>Inference-Header-Content-Length: 0</c>: the whole body is the raw data of the model's single input;
    /// the shape comes from the config, with at most one variable dimension inferred from the byte count.
    /// </summary>
    public static Result<InferenceRequest> ReadRawSingleInput(string model, long? version, RequestBody body, ModelConfig config)
    {
        if (config.Inputs.Length != 1)
        {
            return InferenceError.InvalidArgument(
                $"Inference-Header-Content-Length 0 sends the body as the raw data of a single input, but model '{model}' has {config.Inputs.Length} inputs");
        }

        var input = config.Inputs[0];
        long[] shape = config.MaxBatchSize > 0 ? [-1, .. input.Dims] : [.. input.Dims];
        var variable = shape.Count(d => d < 0);
        long known = 1;
        foreach (var d in shape)
        {
            known *= d < 0 ? 1 : d;
        }

        long elements;
        if (input.DataType == TensorDataType.Bytes)
        {
            elements = BytesTensor.CountElements(body.Memory.Span, out var problem);
            if (elements < 0)
            {
                return InferenceError.InvalidArgument($"input '{input.Name}': {problem}");
            }
        }
        else
        {
            var size = input.DataType.ElementSize();
            if (body.Length % size != 0)
            {
                return InferenceError.InvalidArgument(
                    $"input '{input.Name}': {body.Length} bytes is not a whole number of {input.DataType.ToWireName()} elements ({size} bytes each)");
            }

            elements = body.Length / size;
        }

        if (variable > 1 && config.MaxBatchSize > 0 && shape[0] == -1)
        {
            // As Triton does: a raw body is one batch item when the shape cannot be inferred otherwise.
            shape[0] = 1;
            variable--;
        }

        if (variable > 1)
        {
            return InferenceError.InvalidArgument(
                $"input '{input.Name}' has shape {TensorShape.Format(shape)} with more than one variable dimension; send a JSON header to give the shape");
        }

        if (variable == 1)
        {
            if (known == 0 || elements % known != 0)
            {
                return InferenceError.InvalidArgument(
                    $"input '{input.Name}': {elements} elements do not fill shape {TensorShape.Format(shape)}");
            }

            shape[Array.IndexOf(shape, -1L)] = elements / known;
        }

#pragma warning disable CA2000 // returned to the caller inside the Result
        var request = new InferenceRequest(model, version);
#pragma warning restore CA2000
        request.Inputs.Add(new InferenceTensor(input.Name, input.DataType, shape, body.Memory));
        return Result<InferenceRequest>.Ok(request);
    }

    private static InferenceError? AttachData(
        InferenceRequest request,
        List<PendingInput> pending,
        ReadOnlyMemory<byte> json,
        ReadOnlyMemory<byte> binary,
        List<(int Input, long Size)> binarySizes,
        Dictionary<int, (int Start, int Length)>? dataRanges)
    {
        long total = 0;
        var overflow = false;
        foreach (var (_, size) in binarySizes)
        {
            // Sizes are non-negative but may be huge: a sum that wraps around must not match the body length.
            if (size > long.MaxValue - total)
            {
                overflow = true;
                break;
            }

            total += size;
        }

        if (overflow || total != binary.Length)
        {
            return InferenceError.InvalidArgument(binarySizes.Count == 0
                ? $"the body has {binary.Length} bytes after the JSON header but no input declares binary_data_size"
                : overflow
                    ? $"inputs declare binary_data_size totalling more than {long.MaxValue} bytes, but {binary.Length} bytes follow the JSON header"
                    : $"inputs declare binary_data_size totalling {total} bytes, but {binary.Length} bytes follow the JSON header");
        }

        var offset = 0;
        var sizeIndex = 0;
        request.Inputs.Capacity = pending.Count; // its array exactly as long as needed
        for (var i = 0; i < pending.Count; i++)
        {
            var meta = pending[i];
            InferenceTensor tensor;
            if (sizeIndex < binarySizes.Count && binarySizes[sizeIndex].Input == i)
            {
                if (SharedMemoryParameters.Present(meta.Parameters))
                {
                    return InferenceError.InvalidArgument(
                        $"input '{meta.Name}' has both binary_data_size and shared memory parameters; send its data one way");
                }

                var size = (int)binarySizes[sizeIndex++].Size;
                tensor = new InferenceTensor(meta.Name, meta.DataType, meta.Shape, binary.Slice(offset, size)) { Parameters = meta.Parameters };
                offset += size;
            }
            else if (dataRanges is not null && dataRanges.TryGetValue(i, out var range))
            {
                var converted = JsonTensorReader.Read(json.Span.Slice(range.Start, range.Length), meta.Name, meta.DataType, meta.Shape);
                if (!converted.IsOk)
                {
                    return converted.Error;
                }

                tensor = new InferenceTensor(meta.Name, meta.DataType, meta.Shape, converted.Value.WrittenMemory, converted.Value) { Parameters = meta.Parameters };
            }
            else if (SharedMemoryParameters.Present(meta.Parameters))
            {
                // No data here: the engine reads it from the region it names (SharedMemoryBinding), whatever the protocol.
                tensor = new InferenceTensor(meta.Name, meta.DataType, meta.Shape, ReadOnlyMemory<byte>.Empty) { Parameters = meta.Parameters };
            }
            else
            {
                return InferenceError.InvalidArgument(
                    $"input '{meta.Name}' has neither 'data' nor a 'binary_data_size' parameter (nor shared memory parameters)");
            }

            request.Inputs.Add(tensor);
        }

        return null;
    }
}
