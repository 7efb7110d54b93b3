using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Turbine.Registry.Tests;

/// <summary>A started <see cref="RegistryServer"/> plus an admin client (token <c>root</c>) and small request helpers.</summary>
internal sealed class RegistryHarness : IAsyncDisposable
{
    private readonly List<HttpClient> _clients = [];

    private RegistryHarness(RegistryServer server, RegistryOptions options, string adminToken)
    {
        Server = server;
        Options = options;
        Admin = Client(adminToken);
    }

    public RegistryServer Server { get; }

    public RegistryOptions Options { get; }

    public HttpClient Admin { get; }

    public string ArtifactsDirectory => Path.Combine(Options.DataDirectory, "artifacts");

    public static async Task<RegistryHarness> StartAsync(RegistryOptions options)
    {
        var admin = options.Dev ? null : await RegistryTokens.CreateAsync(options, "root", "admin", "*");
        var server = await RegistryServer.StartAsync(options with { Port = 0, Host = "127.0.0.1" });
        return new RegistryHarness(server, options, admin?.Secret ?? "");
    }

    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = Server.Url, Timeout = TimeSpan.FromSeconds(60) };
        if (!string.IsNullOrEmpty(token))
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        _clients.Add(client);
        return client;
    }

    /// <summary>Creates a token through the API and returns a client that uses it.</summary>
    public async Task<HttpClient> ClientWithRoleAsync(string name, string role, string models = "*")
    {
        var created = await SendAsync(Admin, HttpMethod.Post, "api/v1/tokens", new { name, role, models }, HttpStatusCode.Created);
        return Client(created.GetProperty("token").GetString());
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> TrySendAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = body is string text ? new StringContent(text, Encoding.UTF8, "application/json") : JsonContent.Create(body);
        }

        using var response = await client.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        var json = content.Length == 0 ? default : JsonDocument.Parse(content).RootElement.Clone();
        return (response.StatusCode, json);
    }

    public static async Task<JsonElement> SendAsync(HttpClient client, HttpMethod method, string path, object? body, HttpStatusCode expected)
    {
        var (status, json) = await TrySendAsync(client, method, path, body);
        Assert.True(status == expected, $"{method} {path}: expected {(int)expected}, got {(int)status}: {json}");
        return json;
    }

    public static Task<JsonElement> CreateModelAsync(HttpClient client, string name, object? extra = null) =>
        SendAsync(client, HttpMethod.Post, "api/v1/models", extra ?? new { name }, HttpStatusCode.Created);

    public static async Task<string> UploadAsync(HttpClient client, byte[] bytes, string contentType = "application/octet-stream")
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await client.PostAsync("api/v1/artifacts", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"upload: {(int)response.StatusCode} {text}");
        var sha = JsonDocument.Parse(text).RootElement.GetProperty("sha256").GetString()!;
        Assert.Equal(Sha256(bytes), sha);
        return sha;
    }

    public static Task<JsonElement> PushAsync(HttpClient client, string model, string sha256, object? extra = null, string packing = "file") =>
        SendAsync(client, HttpMethod.Post, $"api/v1/models/{model}/versions", extra ?? new { artifact = new { sha256, packing } }, HttpStatusCode.Created);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Server.DisposeAsync();
    }
}
