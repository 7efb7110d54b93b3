using Microsoft.Extensions.Logging;

namespace Turbine.Core.SharedMemory;

internal static partial class SharedMemoryLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "system shared memory region '{Name}' registered: key '{Key}', offset {Offset}, {ByteSize} bytes")]
    public static partial void Registered(ILogger logger, string name, string key, long offset, long byteSize);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "system shared memory region '{Name}' unregistered (unmapped when its last request finishes)")]
    public static partial void Unregistered(ILogger logger, string name);
}
