namespace Turbine.Gateway.Routing;

/// <summary>The model is routed, but no replica of its pool can be asked for its metadata now.</summary>
public sealed class ModelMetadataUnavailableException(string message) : Exception(message);
