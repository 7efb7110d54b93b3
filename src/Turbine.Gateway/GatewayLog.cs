using Microsoft.Extensions.Logging;

namespace Turbine.Gateway;

internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "turbine gateway ready: HTTP on {HttpAddress} gRPC on {GrpcAddress} config {ConfigPath} ({Pools} pool(s), {Models} model route(s))")]
    public static partial void Ready(ILogger logger, string httpAddress, string grpcAddress, string configPath, int pools, int models);
}
