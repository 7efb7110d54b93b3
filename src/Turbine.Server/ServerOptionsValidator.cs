using System.Globalization;
using Microsoft.Extensions.Options;
using Turbine.Hosting;

namespace Turbine.Server;

/// <summary>
/// The rules <see cref="ServerOptions"/> must meet, in one place for every caller: <c>turbine serve</c> and
/// <c>turbine up</c> check each flag with these methods (their texts are the CLI's, exit code 2),
/// <see cref="TurbineServer.StartAsync"/> refuses options that break one, and a host composed with
/// <see cref="ServerServiceCollectionExtensions.AddTurbineServer"/> fails at start (<c>ValidateOnStart</c>).
/// Each check returns why the value is refused, or null when it is accepted.
/// </summary>
public sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public static string? CheckPort(string flag, int value) => HostOptionRules.Port(flag, value);

    public static string? CheckHost(string? value) => HostOptionRules.Host(value);

    public static string? CheckPollInterval(TimeSpan value) => value <= TimeSpan.Zero ? "--repository-poll-secs must be at least 1" : null;

    public static string? CheckLoadTimeout(TimeSpan value) => value <= TimeSpan.Zero ? "--model-load-timeout-secs must be at least 1" : null;

    public static string? CheckResponseCacheBytes(long value) => value < 0 ? "--response-cache-bytes must not be negative" : null;

    public static string? CheckMaxRequestBodyBytes(long value) => value < 1 ? "--http-max-body-bytes must be positive" : null;

    public static string? CheckMaxInflightBodyBytes(long? value) => value is < 1 ? "--max-inflight-body-bytes must be positive" : null;

    public static string? CheckShmRegions(int value) => value < 0 ? "--max-shm-regions must be 0 or more" : null;

    public static string? CheckShmBytes(long value) => value < 1 ? "--max-shm-bytes must be positive" : null;

    public static string? CheckGrpcStreamMaxPending(int value) => value < 1 ? "--grpc-stream-max-pending must be at least 1" : null;

    public static string? CheckGrpcMaxMessageBytes(long value) => value is < 1 or > int.MaxValue
        ? $"--grpc-max-message-bytes must be between 1 and {int.MaxValue}, got {value.ToString(CultureInfo.InvariantCulture)}"
        : null;

    /// <summary>A PEM file named by <paramref name="flag"/> (<c>--grpc-tls-cert</c>, <c>--grpc-tls-key</c>) must exist.</summary>
    public static string? CheckFileExists(string flag, string? path) => path is not null && !File.Exists(path) ? $"{flag} file '{path}' does not exist" : null;

    public static string? CheckTraceEndpoint(string? value) =>
        value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            ? $"--trace-otlp-endpoint must be an http:// or https:// URL, got '{value}'"
            : null;

    public static string? CheckTraceSamplingRate(double value) => value is >= 0 and <= 1
        ? null
        : $"--trace-sampling-rate must be between 0 and 1, got {value.ToString(CultureInfo.InvariantCulture)}";

    public static string? CheckPayloadLogMaxFileBytes(long value) => value < 1 ? "--payload-log-max-file-bytes must be positive" : null;

    public static string? CheckPayloadLogMaxFiles(int value) => value < 1 ? "--payload-log-max-files must be at least 1" : null;

    public static string? CheckPayloadLogUrl(string? value) =>
        value is not null && !(Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            ? $"--payload-log-url must be an absolute http:// or https:// URL, got '{value}'"
            : null;

    /// <summary>A <c>--max-*-file-bytes</c> limit: 1 to the largest array (the model file: to <see cref="long.MaxValue"/>).</summary>
    public static string? CheckFileLimit(string flag, long value, bool modelFile)
    {
        var max = modelFile ? long.MaxValue : Array.MaxLength;
        return value < 1 || value > max
            ? $"{flag} must be between 1 and {max.ToString(CultureInfo.InvariantCulture)}, got {value.ToString(CultureInfo.InvariantCulture)}"
            : null;
    }

    public static string? CheckRegistryUrl(string? value) =>
        value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            ? $"--registry must be an http:// or https:// URL, got '{value}'"
            : null;

    public static string? CheckRegistryPollInterval(TimeSpan value) => value <= TimeSpan.Zero ? "--registry-poll-secs must be at least 1" : null;

    public static string? CheckRegistryMaxExtractBytes(long value) => value < 1 ? "--registry-max-extract-bytes must be positive" : null;

    public static string? CheckRegistryMaxExtractEntries(int value) => value < 1 ? "--registry-max-extract-entries must be positive" : null;

    /// <summary>Every problem with <paramref name="options"/>; empty when valid.</summary>
    public static IReadOnlyList<string> Problems(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var engine = options.Engine;
        var limits = engine.FileLimits;
        List<string?> problems =
        [
            options.Registry is null && string.IsNullOrEmpty(engine.ModelRepository) ? "the model repository (--model-repository) must be set" : null,
            ServerOptions.ValidateServerId(engine.ServerName),
            CheckHost(options.Host),
            CheckPort("--http-port", options.HttpPort),
            CheckPort("--grpc-port", options.GrpcPort),
            CheckPort("--metrics-port", options.MetricsPort),
            CheckPollInterval(engine.PollInterval),
            CheckLoadTimeout(engine.LoadTimeout),
            CheckResponseCacheBytes(engine.ResponseCacheBytes),
            CheckMaxRequestBodyBytes(options.MaxRequestBodyBytes),
            CheckMaxInflightBodyBytes(options.MaxInflightBodyBytes),
            CheckShmRegions(engine.SharedMemory.MaxRegions),
            CheckShmBytes(engine.SharedMemory.MaxBytes),
            CheckGrpcStreamMaxPending(options.GrpcStreamMaxPending),
            CheckGrpcMaxMessageBytes(options.GrpcMaxMessageBytes),
            CheckFileExists("--grpc-tls-cert", options.GrpcTlsCertificatePath),
            CheckFileExists("--grpc-tls-key", options.GrpcTlsKeyPath),
            CheckTraceEndpoint(options.TraceOtlpEndpoint?.OriginalString),
            CheckTraceSamplingRate(options.TraceSamplingRate),
            CheckPayloadLogMaxFileBytes(options.PayloadLogMaxFileBytes),
            CheckPayloadLogMaxFiles(options.PayloadLogMaxFiles),
            CheckPayloadLogUrl(options.PayloadLogUrl?.OriginalString),
            CheckFileLimit("--max-config-file-bytes", limits.ConfigBytes, modelFile: false),
            CheckFileLimit("--max-label-file-bytes", limits.LabelBytes, modelFile: false),
            CheckFileLimit("--max-warmup-file-bytes", limits.WarmupDataBytes, modelFile: false),
            CheckFileLimit("--max-initial-state-file-bytes", limits.InitialStateBytes, modelFile: false),
            CheckFileLimit("--max-model-file-bytes", limits.ModelBytes, modelFile: true),
        ];
        if (options.Registry is { } registry)
        {
            problems.Add(CheckRegistryUrl(registry.Url.OriginalString));
            problems.Add(CheckRegistryPollInterval(registry.PollInterval));
            problems.Add(CheckRegistryMaxExtractBytes(registry.Extraction.MaxBytes));
            problems.Add(CheckRegistryMaxExtractEntries(registry.Extraction.MaxEntries));
        }

        problems.AddRange(ManagementTokenProblems(options));
        return problems.OfType<string>().ToList();
    }

    public ValidateOptionsResult Validate(string? name, ServerOptions options) =>
        Problems(options) is [_, ..] problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;

    private static IEnumerable<string> ManagementTokenProblems(ServerOptions options)
    {
        if (options.ManagementToken is not { } token)
        {
            yield break;
        }

        if (token.Length < ServerOptions.MinManagementTokenLength)
        {
            yield return $"the management token must be at least {ServerOptions.MinManagementTokenLength} characters, got {token.Length}";
        }

        if (token.Any(c => c is <= ' ' or > '~'))
        {
            yield return "the management token must be printable ASCII without spaces";
        }

        if (options.ManagementAuth == Security.ManagementAuthMode.None)
        {
            yield return "a management token and --management-auth none contradict each other; give one or the other";
        }
    }
}
