using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turbine.Client.Registry;
using Turbine.Core.Repository;
using Turbine.Core.SharedMemory;
using Turbine.Server.Logging;
using Turbine.Server.Registry;

namespace Turbine.Server.Tests.Hosting;

/// <summary>One set of rules for <see cref="ServerOptions"/>, whoever builds them (the CLI's flags, a library caller).</summary>
public sealed class ServerOptionsValidatorTests
{
    private static readonly ServerOptions Valid = new() { Engine = new() { ModelRepository = "/models" } };

    public static TheoryData<string, string> BrokenRules() => new()
    {
        { "repository", "the model repository (--model-repository) must be set" },
        { "id", "the server id (--id) must not be empty" },
        { "host", "--host must be an IP address or 'localhost', got 'example.com'" },
        { "http-port", "--http-port must be between 0 and 65535, got 65536" },
        { "grpc-port", "--grpc-port must be between 0 and 65535, got -1" },
        { "metrics-port", "--metrics-port must be between 0 and 65535, got 70000" },
        { "poll", "--repository-poll-secs must be at least 1" },
        { "load-timeout", "--model-load-timeout-secs must be at least 1" },
        { "cache", "--response-cache-bytes must not be negative" },
        { "body", "--http-max-body-bytes must be positive" },
        { "inflight", "--max-inflight-body-bytes must be positive" },
        { "shm-regions", "--max-shm-regions must be 0 or more" },
        { "shm-bytes", "--max-shm-bytes must be positive" },
        { "stream", "--grpc-stream-max-pending must be at least 1" },
        { "grpc-max", "--grpc-max-message-bytes must be between 1 and 2147483647, got 0" },
        { "tls-cert", "--grpc-tls-cert file '/nonexistent/turbine/cert.pem' does not exist" },
        { "trace-endpoint", "--trace-otlp-endpoint must be an http:// or https:// URL, got 'ftp://collector/'" },
        { "trace-rate", "--trace-sampling-rate must be between 0 and 1, got 1.5" },
        { "payload-bytes", "--payload-log-max-file-bytes must be positive" },
        { "payload-files", "--payload-log-max-files must be at least 1" },
        { "payload-url", "--payload-log-url must be an absolute http:// or https:// URL, got 'ftp://sink/'" },
        { "label-limit", "--max-label-file-bytes must be between 1 and 2147483591, got 0" },
        { "token", "the management token must be at least 16 characters, got 5" },
        { "registry-poll", "--registry-poll-secs must be at least 1" },
        { "registry-extract", "--registry-max-extract-entries must be positive" },
    };

    [Theory]
    [MemberData(nameof(BrokenRules))]
    public void Problems_OneRuleBroken_ExactlyThatProblem(string rule, string expected)
    {
        Assert.Equal([expected], ServerOptionsValidator.Problems(Break(rule)));
    }

    [Fact]
    public void Problems_Defaults_None()
    {
        Assert.Empty(ServerOptionsValidator.Problems(Valid));
        Assert.Empty(ServerOptionsValidator.Problems(Valid with { Registry = Registry(), Engine = Valid.Engine with { ModelRepository = "" } }));
    }

    [Theory]
    [MemberData(nameof(BrokenRules))]
    public async Task StartAsync_OneRuleBroken_RefusedWithTheSameTextBeforeAnythingStarts(string rule, string expected)
    {
        // Refused before a port is probed or a model loaded: the default ports are never bound here.
        var e = await Assert.ThrowsAsync<ArgumentException>(() => TurbineServer.StartAsync(Break(rule)));

        Assert.Equal("invalid server options: " + expected + " (Parameter 'options')", e.Message);
    }

    [Fact]
    public async Task AddTurbineServer_InvalidOptionsInALibraryHost_FailsAtStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddTurbineServer(Break("stream"));
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(["--grpc-stream-max-pending must be at least 1"], e.Failures);
    }

    [Fact]
    public void AddTurbineServer_ServiceRegisteredFirst_KeptAndOptionsBound()
    {
        var services = new ServiceCollection();
        var mine = new LogSettings(LogFormat.Json);
        services.AddSingleton(mine);
        services.AddTurbineServer(Valid with { LogFormat = LogFormat.Text, GrpcStreamMaxPending = 7 });
        using var provider = services.BuildServiceProvider();

        Assert.Same(mine, provider.GetRequiredService<LogSettings>());
        Assert.Equal(7, provider.GetRequiredService<IOptions<ServerOptions>>().Value.GrpcStreamMaxPending);
        Assert.Equal("/models", provider.GetRequiredService<IOptions<ServerOptions>>().Value.Engine.ModelRepository);
    }

    private static RegistryServingOptions Registry() => new() { Url = new Uri("http://127.0.0.1:8080/"), Models = ["m@production"], CacheDirectory = "/cache" };

    private static ServerOptions Break(string rule) => rule switch
    {
        "repository" => Valid with { Engine = Valid.Engine with { ModelRepository = "" } },
        "id" => Valid with { Engine = Valid.Engine with { ServerName = "" } },
        "host" => Valid with { Host = "example.com" },
        "http-port" => Valid with { HttpPort = 65536 },
        "grpc-port" => Valid with { GrpcPort = -1 },
        "metrics-port" => Valid with { MetricsPort = 70000 },
        "poll" => Valid with { Engine = Valid.Engine with { PollInterval = TimeSpan.Zero } },
        "load-timeout" => Valid with { Engine = Valid.Engine with { LoadTimeout = TimeSpan.FromSeconds(-1) } },
        "cache" => Valid with { Engine = Valid.Engine with { ResponseCacheBytes = -1 } },
        "body" => Valid with { MaxRequestBodyBytes = 0 },
        "inflight" => Valid with { MaxInflightBodyBytes = 0 },
        "shm-regions" => Valid with { Engine = Valid.Engine with { SharedMemory = new SharedMemoryLimits { MaxRegions = -1 } } },
        "shm-bytes" => Valid with { Engine = Valid.Engine with { SharedMemory = new SharedMemoryLimits { MaxBytes = 0 } } },
        "stream" => Valid with { GrpcStreamMaxPending = 0 },
        "grpc-max" => Valid with { GrpcMaxMessageBytes = 0 },
        "tls-cert" => Valid with { GrpcTlsCertificatePath = "/nonexistent/turbine/cert.pem" },
        "trace-endpoint" => Valid with { TraceOtlpEndpoint = new Uri("ftp://collector/") },
        "trace-rate" => Valid with { TraceSamplingRate = 1.5 },
        "payload-bytes" => Valid with { PayloadLogMaxFileBytes = 0 },
        "payload-files" => Valid with { PayloadLogMaxFiles = 0 },
        "payload-url" => Valid with { PayloadLogUrl = new Uri("ftp://sink/") },
        "label-limit" => Valid with { Engine = Valid.Engine with { FileLimits = new ModelFileLimits { LabelBytes = 0 } } },
        "token" => Valid with { ManagementToken = "short" },
        "registry-poll" => Valid with { Registry = Registry() with { PollInterval = TimeSpan.Zero } },
        "registry-extract" => Valid with { Registry = Registry() with { Extraction = new TarExtractionLimits { MaxEntries = 0 } } },
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };
}
