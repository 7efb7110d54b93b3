namespace Turbine.Control.Api;

/// <summary>Endpoint metadata: the body is an InferenceService (YAML or JSON), described in the OpenAPI document.</summary>
internal sealed class SpecRequestBody
{
    public static SpecRequestBody Instance { get; } = new();
}
