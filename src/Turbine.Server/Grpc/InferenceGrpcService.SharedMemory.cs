using Grpc.Core;
using Turbine.Core;
using Turbine.Protocol.Grpc;
using Turbine.Server.Security;

namespace Turbine.Server.Grpc;

/// <summary>Triton's shared memory rpcs: system shared memory served, CUDA answered as <see cref="CudaSharedMemory"/> says.</summary>
internal sealed partial class InferenceGrpcService
{
    [ManagementOperation]
    public override Task<SystemSharedMemoryStatusResponse> SystemSharedMemoryStatus(SystemSharedMemoryStatusRequest request, ServerCallContext context)
    {
        var status = engine.SharedMemory.Status(request.Name);
        if (!status.IsOk)
        {
            return Task.FromResult(GrpcErrors.Fail<SystemSharedMemoryStatusResponse>(context, status.Error));
        }

        var response = new SystemSharedMemoryStatusResponse();
        foreach (var region in status.Value)
        {
            response.Regions[region.Name] = new SystemSharedMemoryStatusResponse.Types.RegionStatus
            {
                Name = region.Name,
                Key = region.Key,
                Offset = (ulong)region.Offset,
                ByteSize = (ulong)region.ByteSize,
            };
        }

        return Task.FromResult(response);
    }

    [ManagementOperation]
    public override Task<SystemSharedMemoryRegisterResponse> SystemSharedMemoryRegister(SystemSharedMemoryRegisterRequest request, ServerCallContext context)
    {
        var error = request.Offset > long.MaxValue || request.ByteSize > long.MaxValue
            ? InferenceError.InvalidArgument($"failed to register shared memory region '{request.Name}': invalid args: offset {request.Offset} and byte_size {request.ByteSize} must each be below 2^63")
            : engine.SharedMemory.Register(request.Name, request.Key, (long)request.Offset, (long)request.ByteSize);
        return Task.FromResult(error is null ? new SystemSharedMemoryRegisterResponse() : GrpcErrors.Fail<SystemSharedMemoryRegisterResponse>(context, error));
    }

    [ManagementOperation]
    public override Task<SystemSharedMemoryUnregisterResponse> SystemSharedMemoryUnregister(SystemSharedMemoryUnregisterRequest request, ServerCallContext context)
    {
        if (request.Name.Length == 0)
        {
            engine.SharedMemory.UnregisterAll();
        }
        else
        {
            engine.SharedMemory.Unregister(request.Name);
        }

        return Task.FromResult(new SystemSharedMemoryUnregisterResponse());
    }

    public override Task<CudaSharedMemoryStatusResponse> CudaSharedMemoryStatus(CudaSharedMemoryStatusRequest request, ServerCallContext context) =>
        Task.FromResult(request.Name.Length == 0
            ? new CudaSharedMemoryStatusResponse()
            : GrpcErrors.Fail<CudaSharedMemoryStatusResponse>(context, CudaSharedMemory.NotFound(request.Name)));

    public override Task<CudaSharedMemoryRegisterResponse> CudaSharedMemoryRegister(CudaSharedMemoryRegisterRequest request, ServerCallContext context) =>
        Task.FromResult(GrpcErrors.Fail<CudaSharedMemoryRegisterResponse>(context, CudaSharedMemory.RegisterRefused(request.Name)));

    public override Task<CudaSharedMemoryUnregisterResponse> CudaSharedMemoryUnregister(CudaSharedMemoryUnregisterRequest request, ServerCallContext context) =>
        Task.FromResult(new CudaSharedMemoryUnregisterResponse());
}
