using System.Text.Json.Serialization;
using Turbine.Gateway.Configuration;

namespace Turbine.Gateway.RateLimiting;

/// <summary>Serializes a rate-limit section to compare two of them.</summary>
[JsonSerializable(typeof(RateLimitConfig))]
internal sealed partial class RateLimitJsonContext : JsonSerializerContext;
