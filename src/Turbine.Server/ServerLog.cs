using Microsoft.Extensions.Logging;

namespace Turbine.Server;

internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "turbine ready: HTTP on {HttpAddress} gRPC on {GrpcAddress} serving {Versions} model version(s) metrics on {MetricsAddress}")]
    public static partial void Ready(ILogger logger, string httpAddress, string grpcAddress, int versions, string metricsAddress);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "turbine not ready (--strict-readiness): {Failures}; /v2/health/ready answers 503 until they load or are unloaded. HTTP on {HttpAddress} gRPC on {GrpcAddress} metrics on {MetricsAddress}")]
    public static partial void NotReady(ILogger logger, string failures, string httpAddress, string grpcAddress, string metricsAddress);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Failures}; serving the others (--strict-readiness false)")]
    public static partial void ReadyDespiteFailures(ILogger logger, string failures);
}
