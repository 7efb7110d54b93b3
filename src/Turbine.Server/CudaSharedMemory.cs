using Turbine.Core;

namespace Turbine.Server;

/// <summary>
/// Triton's CUDA shared-memory extension, which Turbine does not implement in either build: no region can exist, so
/// status lists none, unregister has nothing to do and register fails. The CPU build answers register with Triton's own
/// message for a build without GPUs ("GPUs not supported"), so Triton's clients recognise it; the GPU build
/// (<c>TURBINE_GPU</c>) has GPUs, so it says that CUDA shared memory is what is missing and what to use instead.
/// One answer for HTTP and gRPC.
/// </summary>
internal static class CudaSharedMemory
{
    public static InferenceError RegisterRefused(string name) => InferenceError.InvalidArgument(
#if TURBINE_GPU
        $"failed to register CUDA shared memory region: '{name}', CUDA shared memory is not supported by this server; send tensors in the request or through system shared memory");
#else
        $"failed to register CUDA shared memory region: '{name}', GPUs not supported");
#endif

    public static InferenceError NotFound(string name) => InferenceError.NotFound($"Unable to find cuda shared memory region: '{name}'");
}
