using Turbine.Gateway.Configuration;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Turbine.Gateway.Tests.TestSupport;

/// <summary>Reads a gateway YAML the way the loader does (camelCase keys) and validates the edge sections.</summary>
public static class YamlConfig
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    public static GatewayConfig Parse(string yaml) => Deserializer.Deserialize<GatewayConfig>(yaml) ?? new GatewayConfig();

    /// <summary>Parses and validates; the errors as <c>path: message</c> lines.</summary>
    public static (GatewayConfig Config, IReadOnlyList<string> Errors) ParseAndValidate(string yaml, string baseDirectory)
    {
        var config = Parse(yaml);
        var context = new ConfigValidationContext { BaseDirectory = baseDirectory };
        config.Auth.Validate("auth", context);
        config.RateLimits.Validate("rateLimits", context);
        config.Transforms.Validate("transforms", context);
        config.AccessLog.Validate("accessLog", context);
        return (config, context.Errors.Select(e => $"{e.Path}: {e.Message}").ToArray());
    }

    /// <summary>Parses and validates, failing the test on any error.</summary>
    public static GatewayConfig Load(string yaml, string baseDirectory)
    {
        var (config, errors) = ParseAndValidate(yaml, baseDirectory);
        Assert.Empty(errors);
        return config;
    }
}
