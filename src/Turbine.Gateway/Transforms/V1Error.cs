namespace Turbine.Gateway.Transforms;

/// <summary>A KServe v1 request or response that cannot be translated: the status and the message for <c>{"error": ...}</c>.</summary>
internal sealed class V1Error(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
