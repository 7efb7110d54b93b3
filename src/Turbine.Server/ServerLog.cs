using Microsoft.Extensions.Logging;

namespace Turbine.Server;

internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "turbine ready: HTTP on {HttpAddress} gRPC on {GrpcAddress} serving {Versions} model version(s) metrics on {MetricsAddress}")]
    public static partial void Ready(ILogger logger, string httpAddress, string grpcAddress, int versions, string metricsAddress);
}
