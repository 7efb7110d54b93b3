using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Turbine.Registry.Tests.Hosting;

/// <summary>One set of rules for <see cref="RegistryOptions"/>, for the CLI and for a library caller.</summary>
public sealed class RegistryOptionsValidatorTests
{
    private static readonly RegistryOptions Valid = new() { DataDirectory = "/data" };

    public static TheoryData<string, string> BrokenRules() => new()
    {
        { "host", "--host 'example.com' is not an IP address (or localhost)" },
        { "dev", "--dev runs without API tokens and is allowed only on a loopback host, not '0.0.0.0'" },
        { "port", "--http-port must be between 0 and 65535, got 65536" },
        { "s3-keys", "artifact store: give both the S3 access key and the S3 secret key, or neither (to use the AWS default credentials)" },
        { "artifact-size", "the artifact size limit must be positive, got 0" },
    };

    [Theory]
    [MemberData(nameof(BrokenRules))]
    public void Problems_OneRuleBroken_ExactlyThatProblem(string rule, string expected)
    {
        Assert.Equal([expected], RegistryOptionsValidator.Problems(Break(rule)));
    }

    [Fact]
    public void Problems_Defaults_None()
    {
        Assert.Empty(RegistryOptionsValidator.Problems(Valid));
        Assert.Empty(RegistryOptionsValidator.Problems(Valid with { Dev = true, Host = "localhost" }));
    }

    [Theory]
    [MemberData(nameof(BrokenRules))]
    public async Task StartAsync_OneRuleBroken_RefusedWithTheSameText(string rule, string expected)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => RegistryServer.StartAsync(Break(rule)));

        Assert.Equal(expected + " (Parameter 'options')", e.Message);
    }

    [Fact]
    public async Task AddTurbineRegistry_InvalidOptionsInALibraryHost_FailsAtStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddTurbineRegistry(Break("dev"));
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(["--dev runs without API tokens and is allowed only on a loopback host, not '0.0.0.0'"], e.Failures);
    }

    private static RegistryOptions Break(string rule) => rule switch
    {
        "host" => Valid with { Host = "example.com" },
        "dev" => Valid with { Dev = true, Host = "0.0.0.0" },
        "port" => Valid with { Port = 65536 },
        "s3-keys" => Valid with { S3Bucket = "models", S3AccessKey = "key" },
        "artifact-size" => Valid with { MaxArtifactBytes = 0 },
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };
}
