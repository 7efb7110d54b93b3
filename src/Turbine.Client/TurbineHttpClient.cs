using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Turbine.Client.Internal;

namespace Turbine.Client;

/// <summary>
/// Client for the Open Inference Protocol (KServe v2) REST API with Triton's extensions: health, metadata,
/// model configuration, statistics, repository control and inference (JSON and the binary tensor data extension).
/// Thread-safe; reuse one instance.
/// </summary>
public sealed partial class TurbineHttpClient : ITurbineClient
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly Uri _base;

    /// <summary>Creates a client that owns its <see cref="HttpClient"/>.</summary>
    /// <param name="baseAddress">Server address, for example <c>http://localhost:8000/</c>.</param>
    /// <param name="handler">Optional handler; disposed with the client.</param>
    /// <param name="bearerToken">
    /// Optional token sent as <c>Authorization: Bearer &lt;token&gt;</c> on every call: the server's management
    /// token (repository load/unload, logging) or a gateway API key or JWT.
    /// </param>
    public TurbineHttpClient(Uri baseAddress, HttpMessageHandler? handler = null, string? bearerToken = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        _base = WithTrailingSlash(baseAddress);
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: true);
        _http.BaseAddress = _base;
        if (bearerToken is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        _ownsHttpClient = true;
    }

    /// <summary>Creates a client over an <see cref="HttpClient"/> whose BaseAddress is the server; it is not disposed.</summary>
    public TurbineHttpClient(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _base = WithTrailingSlash(httpClient.BaseAddress
            ?? throw new ArgumentException("the HttpClient needs a BaseAddress (the server address)", nameof(httpClient)));
        _http = httpClient;
    }

    /// <summary>GET v2/health/live: true on 200.</summary>
    public Task<bool> IsLiveAsync(CancellationToken ct = default) => IsOkAsync("v2/health/live", ct);

    /// <summary>GET v2/health/ready: true on 200.</summary>
    public Task<bool> IsReadyAsync(CancellationToken ct = default) => IsOkAsync("v2/health/ready", ct);

    /// <summary>GET v2/models/{m}[/versions/{v}]/ready: true on 200.</summary>
    public Task<bool> IsModelReadyAsync(string model, string? version = null, CancellationToken ct = default) =>
        IsOkAsync(ModelPath(model, version) + "/ready", ct);

    /// <summary>GET v2.</summary>
    public async Task<ServerMetadataResult> GetServerMetadataAsync(CancellationToken ct = default)
    {
        using var document = await GetJsonAsync("v2", ct).ConfigureAwait(false);
        var root = document.RootElement;
        return new ServerMetadataResult(
            InferResponseReader.GetString(root, "name") ?? string.Empty,
            InferResponseReader.GetString(root, "version") ?? string.Empty,
            ReadStrings(root, "extensions"));
    }

    /// <summary>GET v2/models/{m}[/versions/{v}].</summary>
    public async Task<ModelMetadataResult> GetModelMetadataAsync(string model, string? version = null, CancellationToken ct = default)
    {
        using var document = await GetJsonAsync(ModelPath(model, version), ct).ConfigureAwait(false);
        var root = document.RootElement;
        return new ModelMetadataResult(
            InferResponseReader.GetString(root, "name") ?? string.Empty,
            ReadStrings(root, "versions"),
            InferResponseReader.GetString(root, "platform") ?? string.Empty,
            ReadTensors(root, "inputs"),
            ReadTensors(root, "outputs"));
    }

    /// <summary>GET v2/models/{m}[/versions/{v}]/config. The caller disposes the document.</summary>
    public Task<JsonDocument> GetModelConfigAsync(string model, string? version = null, CancellationToken ct = default) =>
        GetJsonAsync(ModelPath(model, version) + "/config", ct);

    /// <summary>GET v2/models[/{m}[/versions/{v}]]/stats. The caller disposes the document.</summary>
    public Task<JsonDocument> GetModelStatisticsAsync(string? model = null, string? version = null, CancellationToken ct = default)
    {
        if (model is null && version is not null)
        {
            throw new ArgumentException("a version needs a model name", nameof(version));
        }

        return GetJsonAsync(model is null ? "v2/models/stats" : ModelPath(model, version) + "/stats", ct);
    }

    /// <summary>POST v2/repository/index with <c>{"ready":readyOnly}</c>.</summary>
    public async Task<IReadOnlyList<RepositoryIndexItem>> GetRepositoryIndexAsync(bool readyOnly = false, CancellationToken ct = default)
    {
        using var body = JsonBody(readyOnly ? "{\"ready\":true}"u8 : "{\"ready\":false}"u8);
        using var response = await SendAsync(HttpMethod.Post, "v2/repository/index", body, ct).ConfigureAwait(false);
        using var document = await ReadJsonAsync(response, ct).ConfigureAwait(false);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new TurbineClientException((int)response.StatusCode, "repository index response is not a JSON array");
        }

        var items = new List<RepositoryIndexItem>(root.GetArrayLength());
        foreach (var item in root.EnumerateArray())
        {
            items.Add(new RepositoryIndexItem(
                InferResponseReader.GetString(item, "name") ?? string.Empty,
                InferResponseReader.GetString(item, "version"),
                InferResponseReader.GetString(item, "state"),
                InferResponseReader.GetString(item, "reason")));
        }

        return items;
    }

    /// <summary>
    /// POST v2/repository/models/{m}/load; with <paramref name="configJson"/> the body is
    /// <c>{"parameters":{"config":"&lt;json&gt;"}}</c>, else <c>{}</c>.
    /// </summary>
    public async Task LoadModelAsync(string model, string? configJson = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        ByteArrayContent body;
        if (configJson is null)
        {
            body = JsonBody("{}"u8);
        }
        else
        {
            using var buffer = new PooledBufferWriter();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteStartObject("parameters"u8);
                writer.WriteString("config"u8, configJson);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            body = JsonBody(buffer.WrittenSpan);
        }

        using (body)
        {
            using var response = await SendAsync(HttpMethod.Post, $"v2/repository/models/{Uri.EscapeDataString(model)}/load", body, ct)
                .ConfigureAwait(false);
        }
    }

    /// <summary>POST v2/repository/models/{m}/unload with <c>{}</c>.</summary>
    public async Task UnloadModelAsync(string model, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        using var body = JsonBody("{}"u8);
        using var response = await SendAsync(HttpMethod.Post, $"v2/repository/models/{Uri.EscapeDataString(model)}/unload", body, ct)
            .ConfigureAwait(false);
    }

    /// <summary>Disposes the HttpClient when this client created it.</summary>
    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _http.Dispose();
        }
    }

    private static Uri WithTrailingSlash(Uri address)
    {
        if (!address.IsAbsoluteUri)
        {
            throw new ArgumentException($"the server address must be absolute, not '{address}'", nameof(address));
        }

        return address.AbsolutePath.EndsWith('/') ? address : new Uri(address.GetLeftPart(UriPartial.Path) + "/" + address.Query);
    }

    private static string ModelPath(string model, string? version)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        var path = "v2/models/" + Uri.EscapeDataString(model);
        return string.IsNullOrEmpty(version) ? path : path + "/versions/" + Uri.EscapeDataString(version);
    }

    private async Task<bool> IsOkAsync(string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, path));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK;
    }

    private async Task<JsonDocument> GetJsonAsync(string path, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, ct).ConfigureAwait(false);
        return await ReadJsonAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary>Sends a request; throws <see cref="TurbineClientException"/> on a non-2xx answer.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(_base, path)) { Content = content };
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        try
        {
            await HttpBody.EnsureSuccessAsync(response, ct).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await HttpBody.ReadAsync(response, ct).ConfigureAwait(false);
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new TurbineClientException((int)response.StatusCode, $"response is not valid JSON: {ex.Message}", ex);
        }
    }

    private static ByteArrayContent JsonBody(ReadOnlySpan<byte> json)
    {
        var content = new ByteArrayContent(json.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static string[] ReadStrings(JsonElement root, string property)
    {
        if (!root.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var result = new List<string>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            result.Add(item.ValueKind == JsonValueKind.String ? item.GetString() ?? string.Empty : item.GetRawText());
        }

        return [.. result];
    }

    private static TensorMetadataResult[] ReadTensors(JsonElement root, string property)
    {
        if (!root.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var result = new List<TensorMetadataResult>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            var shape = new List<long>();
            if (item.TryGetProperty("shape"u8, out var dims) && dims.ValueKind == JsonValueKind.Array)
            {
                foreach (var dim in dims.EnumerateArray())
                {
                    shape.Add(dim.TryGetInt64(out var d) ? d : -1);
                }
            }

            result.Add(new TensorMetadataResult(
                InferResponseReader.GetString(item, "name") ?? string.Empty,
                InferResponseReader.GetString(item, "datatype") ?? string.Empty,
                [.. shape]));
        }

        return [.. result];
    }
}
