namespace Turbine.Registry.Api;

/// <summary>Endpoint metadata: the request body's type and media type, for the OpenAPI document only (no content-type matching).</summary>
internal sealed record JsonRequestBody(Type Type, string ContentType = "application/json");
