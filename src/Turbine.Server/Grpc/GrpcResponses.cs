using System.Globalization;
using Google.Protobuf;
using Turbine.Core;
using Turbine.Core.Lifecycle;
using Turbine.Core.Stats;
using Turbine.Core.SharedMemory;
using Turbine.Core.Tensors;
using Turbine.Protocol.Grpc;

namespace Turbine.Server.Grpc;

/// <summary>Engine results as protocol messages.</summary>
internal static class GrpcResponses
{
    /// <summary>
    /// Outputs go in <c>raw_output_contents</c> (tritonclient reads them by index), wrapping the outputs' own buffers
    /// without a copy: the response must stay alive until gRPC has serialized the message.
    /// </summary>
    public static ModelInferResponse Infer(InferenceResponse response)
    {
        var message = new ModelInferResponse
        {
            ModelName = response.ModelName,
            ModelVersion = response.ModelVersion.ToString(CultureInfo.InvariantCulture),
            Id = response.Id,
        };
        foreach (var output in response.Outputs)
        {
            var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = output.DataType.ToWireName() };
            tensor.Shape.Add(output.Shape);
            if (SharedMemoryParameters.Present(output.Parameters))
            {
                // Written into the client's shared memory region: the parameters say where; the raw entry stays empty
                // so the entries keep lining up with the outputs by index.
                foreach (var (key, value) in output.Parameters!)
                {
                    tensor.Parameters[key] = value.Kind == InferParameterKind.String
                        ? new Protocol.Grpc.InferParameter { StringParam = value.StringValue }
                        : new Protocol.Grpc.InferParameter { Int64Param = value.Int64Value };
                }
            }

            message.Outputs.Add(tensor);
            message.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(output.Data));
        }

        return message;
    }

    public static ModelMetadataResponse Metadata(ModelMetadata m)
    {
        var message = new ModelMetadataResponse { Name = m.Name, Platform = m.Platform };
        message.Versions.Add(m.Versions);
        foreach (var t in m.Inputs)
        {
            message.Inputs.Add(Tensor(t));
        }

        foreach (var t in m.Outputs)
        {
            message.Outputs.Add(Tensor(t));
        }

        return message;
    }

    public static ModelStatisticsResponse Statistics(IReadOnlyList<ModelStatisticsSnapshot> stats)
    {
        var message = new ModelStatisticsResponse();
        foreach (var s in stats)
        {
            var m = new Protocol.Grpc.ModelStatistics
            {
                Name = s.Name,
                Version = s.Version.ToString(CultureInfo.InvariantCulture),
                LastInference = (ulong)Math.Max(0, s.LastInferenceMs),
                InferenceCount = (ulong)s.InferenceCount,
                ExecutionCount = (ulong)s.ExecutionCount,
                InferenceStats = new Protocol.Grpc.InferStatistics
                {
                    Success = Duration(s.InferenceStats.Success),
                    Fail = Duration(s.InferenceStats.Fail),
                    Queue = Duration(s.InferenceStats.Queue),
                    ComputeInput = Duration(s.InferenceStats.ComputeInput),
                    ComputeInfer = Duration(s.InferenceStats.ComputeInfer),
                    ComputeOutput = Duration(s.InferenceStats.ComputeOutput),
                    CacheHit = Duration(s.InferenceStats.CacheHit),
                    CacheMiss = Duration(s.InferenceStats.CacheMiss),
                },
            };
            foreach (var b in s.BatchStats)
            {
                m.BatchStats.Add(new InferBatchStatistics
                {
                    BatchSize = (ulong)b.BatchSize,
                    ComputeInput = Duration(b.ComputeInput),
                    ComputeInfer = Duration(b.ComputeInfer),
                    ComputeOutput = Duration(b.ComputeOutput),
                });
            }

            message.ModelStats.Add(m);
        }

        return message;
    }

    public static RepositoryIndexResponse Index(IReadOnlyList<RepositoryIndexEntry> rows)
    {
        var message = new RepositoryIndexResponse();
        foreach (var row in rows)
        {
            message.Models.Add(new RepositoryIndexResponse.Types.ModelIndex
            {
                Name = row.Name,
                Version = row.Version?.ToString(CultureInfo.InvariantCulture) ?? "",
                State = row.State?.ToString().ToUpperInvariant() ?? "",
                Reason = row.Reason,
            });
        }

        return message;
    }

    private static Protocol.Grpc.StatisticDuration Duration(Core.Stats.StatisticDuration d) =>
        new() { Count = (ulong)d.Count, Ns = (ulong)d.Ns };

    private static ModelMetadataResponse.Types.TensorMetadata Tensor(Core.TensorMetadata t)
    {
        var m = new ModelMetadataResponse.Types.TensorMetadata { Name = t.Name, Datatype = t.Datatype };
        m.Shape.Add(t.Shape);
        return m;
    }
}
