using Turbine.Core.Tensors;

namespace Turbine.Core.SharedMemory;

/// <summary>
/// Where the engine meets the shared memory extension, for every front end alike: inputs naming a region become views
/// over the mapping (read in place by the backend, no copy), and outputs naming one are written into it once the model
/// has run, the response then carrying the parameters instead of data.
/// </summary>
internal static class SharedMemoryBinding
{
    /// <summary>Replaces each input that names a region by a view of the region; the view holds the region until the request is disposed.</summary>
    public static InferenceError? BindInputs(SharedMemoryManager? manager, InferenceRequest request)
    {
        var inputs = request.Inputs;
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            if (!SharedMemoryParameters.Present(input.Parameters))
            {
                continue;
            }

            if (manager is null)
            {
                return InferenceError.Unsupported($"input '{input.Name}': shared memory is not available on this server");
            }

            var parsed = SharedMemoryParameters.Parse(input.Parameters!, input.Name);
            if (!parsed.IsOk)
            {
                return parsed.Error;
            }

            var (region, offset, byteSize) = parsed.Value;
            if (!input.Data.IsEmpty)
            {
                return InferenceError.InvalidArgument(
                    $"input '{input.Name}' takes its data from shared memory region '{region}' and must not carry data in the request as well");
            }

            var lease = manager.Lease(region, offset, byteSize);
            if (!lease.IsOk)
            {
                return lease.Error;
            }

            inputs[i] = new InferenceTensor(input.Name, input.DataType, input.Shape, lease.Value.Memory, lease.Value) { Parameters = input.Parameters };
            input.Dispose();
        }

        return null;
    }

    /// <summary>Leases the regions the requested outputs name, before the model runs (a bad one fails the request early); null when none does.</summary>
    public static Result<OutputRegions?> BindOutputs(SharedMemoryManager? manager, InferenceRequest request)
    {
        OutputRegions? bound = null;
        foreach (var output in request.Outputs)
        {
            if (!SharedMemoryParameters.Present(output.Parameters))
            {
                continue;
            }

            if (manager is null)
            {
                bound?.Dispose();
                return InferenceError.Unsupported($"output '{output.Name}': shared memory is not available on this server");
            }

            var parsed = SharedMemoryParameters.Parse(output.Parameters!, output.Name);
            var lease = parsed.IsOk ? manager.Lease(parsed.Value.Region, parsed.Value.Offset, parsed.Value.ByteSize) : parsed.Error;
            if (!lease.IsOk)
            {
                bound?.Dispose();
                return lease.Error;
            }

#pragma warning disable CA2000 // returned to the caller inside the Result, or disposed on the error return above
            bound ??= new OutputRegions();
#pragma warning restore CA2000
            bound.Add(output.Name, parsed.Value.Region, parsed.Value.Offset, lease.Value);
        }

        return Result<OutputRegions?>.Ok(bound);
    }

    /// <summary>The regions a request's outputs go to; disposing releases them.</summary>
    internal sealed class OutputRegions : IDisposable
    {
        private readonly List<(string Output, string Region, long Offset, SharedMemoryLease Lease)> _bound = [];

        public void Add(string output, string region, long offset, SharedMemoryLease lease) => _bound.Add((output, region, offset, lease));

        /// <summary>
        /// Copies each bound output into its region and replaces it in the response by a tensor without data whose
        /// parameters name the region, offset and the bytes written.
        /// </summary>
        public InferenceError? Write(InferenceResponse response)
        {
            var outputs = response.Outputs;
            for (var i = 0; i < outputs.Count; i++)
            {
                var output = outputs[i];
                var index = _bound.FindIndex(b => b.Output == output.Name);
                if (index < 0)
                {
                    continue;
                }

                var (_, region, offset, lease) = _bound[index];
                var target = lease.GetSpan();
                if (output.Data.Length > target.Length)
                {
                    return InferenceError.InvalidArgument(
                        $"shared memory size specified with the request for output '{output.Name}' ({target.Length} bytes) should be at least {output.Data.Length} bytes to hold the results");
                }

                // Checked again just before writing: the model ran since the region was leased.
                if (lease.Covered() is { } shrunk)
                {
                    return shrunk;
                }

                output.Data.Span.CopyTo(target);
                var parameters = new Dictionary<string, InferParameter>(StringComparer.Ordinal)
                {
                    [SharedMemoryParameters.Region] = InferParameter.FromString(region),
                    [SharedMemoryParameters.ByteSize] = InferParameter.FromInt64(output.Data.Length),
                };
                if (offset != 0)
                {
                    parameters[SharedMemoryParameters.Offset] = InferParameter.FromInt64(offset);
                }

                outputs[i] = new InferenceTensor(output.Name, output.DataType, output.Shape, ReadOnlyMemory<byte>.Empty) { Parameters = parameters };
                output.Dispose();
            }

            return null;
        }

        public void Dispose()
        {
            foreach (var b in _bound)
            {
                ((IDisposable)b.Lease).Dispose();
            }

            _bound.Clear();
        }
    }
}
