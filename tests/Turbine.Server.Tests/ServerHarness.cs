using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Turbine.Core.Lifecycle;
using Turbine.Samples;

namespace Turbine.Server.Tests;

/// <summary>
/// A real Turbine server on a free loopback port over a fresh sample repository in a temp folder.
/// </summary>
public sealed class ServerHarness : IAsyncDisposable
{
    private ServerHarness(string repository, TurbineServer server)
    {
        Repository = repository;
        Server = server;
        Http = new HttpClient { BaseAddress = server.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Repository { get; }

    public TurbineServer Server { get; }

    public HttpClient Http { get; }

    public static async Task<ServerHarness> StartAsync(
        ModelControlMode mode = ModelControlMode.None,
        IReadOnlyList<string>? startupModels = null,
        long maxBody = 1L << 30,
        TimeSpan? poll = null,
        Action<string>? prepare = null,
        Action<OpenTelemetry.Trace.TracerProviderBuilder>? tracing = null,
        Action<ILoggingBuilder>? logging = null,
        Func<ServerOptions, ServerOptions>? configure = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var repository = Path.Combine(Path.GetTempPath(), "turbine-tests", Guid.NewGuid().ToString("N"));
        SampleRepository.Create(repository);
        prepare?.Invoke(repository);
        var options = new ServerOptions
            {
                Engine = new()
                {
                    ModelRepository = repository,
                    ControlMode = mode,
                    StartupModels = startupModels ?? [],
                    PollInterval = poll ?? TimeSpan.FromSeconds(15),
                },
                HttpPort = 0,
                GrpcPort = 0,
                MetricsPort = 0,
                MaxRequestBodyBytes = maxBody,
                ShutdownTimeout = TimeSpan.FromSeconds(10),
            };
        var server = await TurbineServer.StartAsync(
            configure?.Invoke(options) ?? options,
            logging ?? (l => l.SetMinimumLevel(LogLevel.Warning)),
            configureTracing: tracing,
            configureServices: services);
        return new ServerHarness(repository, server);
    }

    public async Task<(int Status, JsonElement Body)> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return ((int)response.StatusCode, await ReadJsonAsync(response));
    }

    public async Task<(int Status, JsonElement Body)> PostJsonAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(path, content);
        return ((int)response.StatusCode, await ReadJsonAsync(response));
    }

    public async Task<HttpResponseMessage> PostBytesAsync(string path, byte[] body, int? headerLength = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (headerLength is { } h)
        {
            request.Headers.Add("Inference-Header-Content-Length", h.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        configure?.Invoke(request);
        return await Http.SendAsync(request);
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length == 0)
        {
            return default;
        }

        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>A JSON infer body for <c>simple</c>: INPUT0 = 0..15 (+offset), INPUT1 = all ones.</summary>
    public static string SimpleJson(int offset = 0, string? id = null, string outputs = "") =>
        "{" + (id is null ? "" : $"\"id\":\"{id}\",") +
        "\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[" +
        string.Join(",", Enumerable.Range(offset, 16)) + "]}," +
        "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[" + string.Join(",", Enumerable.Repeat(1, 16)) + "]}]" +
        outputs + "}";

    /// <summary>Polls a condition until it holds or the deadline passes (no fixed sleeps).</summary>
    public static Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout) =>
        Poll.UntilAsync(condition, timeout, TimeSpan.FromMilliseconds(50));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(Repository, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One shared server (mode none) for the read-only endpoint tests.</summary>
public sealed class SharedServerFixture : IAsyncLifetime
{
    public ServerHarness Harness { get; private set; } = null!;

    public async Task InitializeAsync() => Harness = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await Harness.DisposeAsync();
}
