using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Turbine.Control.Api;
using Turbine.Control.Reconciling;

namespace Turbine.Control.Tests.Api;

/// <summary>A real control host on a free loopback port over a real SQLite file in a temp folder, with the in-memory controller.</summary>
internal sealed class ControlApiHarness : IAsyncDisposable
{
    public const string ReaderSecret = "reader-secret-0123456789";
    public const string WriterSecret = "writer-secret-0123456789";

    private readonly TempFolder _folder;

    private ControlApiHarness(ControlHost host, TempFolder folder, InMemoryDeploymentController controller)
    {
        Host = host;
        _folder = folder;
        Controller = controller;
    }

    public ControlHost Host { get; }

    public InMemoryDeploymentController Controller { get; }

    public Uri Url => Host.Url;

    public string DatabasePath => Path.Combine(_folder.Path, "data", "control.db");

    public static async Task<ControlApiHarness> StartAsync(Func<ControlOptions, ControlOptions>? configure = null)
    {
        var folder = new TempFolder("turbine-control-api");
        var controller = new InMemoryDeploymentController();
        var options = new ControlOptions
        {
            Port = 0,
            DataDirectory = Path.Combine(folder.Path, "data"),
            StaticTokens =
            [
                new ControlStaticToken("ci-reader", ReaderSecret, ControlScope.Read),
                new ControlStaticToken("ci-writer", WriterSecret, ControlScope.Write),
            ],
            ConfigureLogging = b => b.SetMinimumLevel(LogLevel.Warning),
        };
        options = configure?.Invoke(options) ?? options;
        try
        {
            var host = await ControlHost.StartAsync(options, s => s.AddSingleton<IDeploymentController>(controller));
            return new ControlApiHarness(host, folder, controller);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public HttpClient Client(string? token = WriterSecret)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public ControlClient ControlClient(string? token = WriterSecret) => new(Url, token, TimeSpan.FromSeconds(30));

    public static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(
        HttpClient client, HttpMethod method, string path, string? yaml = null, string contentType = "application/yaml")
    {
        using var request = new HttpRequestMessage(method, path);
        if (yaml is not null)
        {
            request.Content = new StringContent(yaml, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, body, response);
    }

    public static string Yaml(string name, int maxReplicas = 2, string extra = "") => $"""
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: {name}
        spec:
          predictor:
            minReplicas: 1
            maxReplicas: {maxReplicas}{extra}
            model:
              modelFormat:
                name: onnx
              storageUri: registry://{name}@production

        """;

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
