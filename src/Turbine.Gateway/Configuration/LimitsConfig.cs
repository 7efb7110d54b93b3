namespace Turbine.Gateway.Configuration;

/// <summary>
/// <c>limits</c>: memory the gateway spends on request bodies before and while forwarding them. Nothing is
/// allocated from a declared <c>Content-Length</c> or gRPC frame length; buffers grow as bytes arrive.
/// </summary>
public sealed record LimitsConfig : IValidatableConfig
{
    /// <summary>
    /// Most bytes of a gRPC call read before authorisation to find the model it names (the model and version fields
    /// lead a message written by any protobuf library). Default 64 KiB.
    /// </summary>
    public int MaxClassificationBytes { get; init; } = 64 << 10;

    /// <summary>
    /// Most request-body bytes held in memory by all requests together (classification reads and bodies kept for
    /// retries); a request that would go over it is answered 503 (gRPC UNAVAILABLE). Default 256 MiB.
    /// </summary>
    public long MaxBufferedBytes { get; init; } = 256L << 20;

    /// <summary>
    /// Largest server answer read whole to filter it to the models a caller may see (statistics, repository index).
    /// Default 16 MiB.
    /// </summary>
    public int MaxFilteredResponseBytes { get; init; } = 16 << 20;

    public void Validate(string path, ConfigValidationContext context)
    {
        if (MaxClassificationBytes is < 1024 or > 16 << 20)
        {
            context.Error(path + ".maxClassificationBytes", $"must be between 1024 and 16777216, got {MaxClassificationBytes}");
        }

        if (MaxBufferedBytes < MaxClassificationBytes)
        {
            context.Error(path + ".maxBufferedBytes", $"must be at least maxClassificationBytes ({MaxClassificationBytes}), got {MaxBufferedBytes}");
        }

        if (MaxFilteredResponseBytes < 1024)
        {
            context.Error(path + ".maxFilteredResponseBytes", $"must be at least 1024, got {MaxFilteredResponseBytes}");
        }
    }
}
