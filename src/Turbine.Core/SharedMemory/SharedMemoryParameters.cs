using Turbine.Core.Tensors;

namespace Turbine.Core.SharedMemory;

/// <summary>
/// The tensor parameters of the shared memory extension: <c>shared_memory_region</c> (string),
/// <c>shared_memory_offset</c> (integer, default 0) and <c>shared_memory_byte_size</c> (integer), on an input (its data is
/// read from the region) or a requested output (its data is written into the region).
/// </summary>
public static class SharedMemoryParameters
{
    public const string Region = "shared_memory_region";
    public const string Offset = "shared_memory_offset";
    public const string ByteSize = "shared_memory_byte_size";

    /// <summary>True when the parameters use any of the three (so the tensor's data is in shared memory, or an error).</summary>
    public static bool Present(Dictionary<string, InferParameter>? parameters) =>
        parameters is not null && (parameters.ContainsKey(Region) || parameters.ContainsKey(Offset) || parameters.ContainsKey(ByteSize));

    /// <summary>The region, offset and size named by a tensor's parameters, with Triton's messages for bad ones.</summary>
    internal static Result<(string Region, long Offset, long ByteSize)> Parse(Dictionary<string, InferParameter> parameters, string tensor)
    {
        string? region = null;
        if (parameters.TryGetValue(Region, out var r))
        {
            if (r.Kind != InferParameterKind.String)
            {
                return InferenceError.InvalidArgument($"invalid value type for '{Region}' parameter for tensor '{tensor}', expected string_param.");
            }

            region = r.StringValue;
        }

        long offset = 0;
        if (parameters.TryGetValue(Offset, out var o))
        {
            if (region is null)
            {
                return InferenceError.InvalidArgument($"'{Offset}' can not be specified without '{Region}' parameter for tensor '{tensor}'");
            }

            if (!o.TryGetInt64(out offset) || offset < 0)
            {
                return InferenceError.InvalidArgument($"invalid value type for '{Offset}' parameter for tensor '{tensor}', expected int64_param (0 or more), got {o}");
            }
        }

        if (!parameters.TryGetValue(ByteSize, out var b))
        {
            return InferenceError.InvalidArgument($"'{ByteSize}' must be specified along with '{Region}' parameter for tensor '{tensor}'");
        }

        if (region is null)
        {
            return InferenceError.InvalidArgument($"'{ByteSize}' can not be specified without '{Region}' parameter for tensor '{tensor}'");
        }

        if (!b.TryGetInt64(out var byteSize) || byteSize < 0)
        {
            return InferenceError.InvalidArgument($"invalid value type for '{ByteSize}' parameter for tensor '{tensor}', expected int64_param (0 or more), got {b}");
        }

        return Result<(string, long, long)>.Ok((region, offset, byteSize));
    }
}
