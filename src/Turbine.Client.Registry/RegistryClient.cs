using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Turbine.Client.Registry;

/// <summary>
/// Client for the model registry's REST API (<c>/api/v1</c>, docs/registry.md): models, artifacts (streamed both
/// ways, digests verified), versions, stages, aliases, lineage and cards. Every error answer becomes a
/// <see cref="RegistryException"/> with the status, the machine code and the server's message. Thread-safe; reuse one instance.
/// </summary>
public sealed partial class RegistryClient : IDisposable
{
    /// <summary>The upload/download header carrying a blob's lower-case hex SHA-256.</summary>
    public const string DigestHeader = "X-Content-SHA256";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;

    /// <summary>Creates a client that owns its <see cref="HttpClient"/>.</summary>
    /// <param name="baseAddress">The registry, for example <c>http://127.0.0.1:8080/</c>.</param>
    /// <param name="token">Bearer token; null for a <c>--dev</c> registry.</param>
    /// <param name="handler">Optional handler; disposed with the client.</param>
    public RegistryClient(Uri baseAddress, string? token = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: true);
        _http.BaseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        _http.Timeout = Timeout.InfiniteTimeSpan; // artifacts can be large; callers bound calls with their token
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        _ownsHttpClient = true;
    }

    /// <summary>Creates a client over an <see cref="HttpClient"/> whose BaseAddress is the registry; it is not disposed.</summary>
    public RegistryClient(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _ = httpClient.BaseAddress ?? throw new ArgumentException("the HttpClient needs a BaseAddress (the registry address)", nameof(httpClient));
        _http = httpClient;
    }

    /// <summary>The registry's address.</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    // ---- models

    /// <summary>POST /api/v1/models.</summary>
    public Task<RegistryModel> CreateModelAsync(NewRegisteredModel model, CancellationToken ct = default) =>
        SendAsync<RegistryModel>(HttpMethod.Post, "api/v1/models", JsonContent.Create(model, options: Json), ct);

    /// <summary>GET /api/v1/models/{name}.</summary>
    public Task<RegistryModel> GetModelAsync(string name, CancellationToken ct = default) =>
        SendAsync<RegistryModel>(HttpMethod.Get, ModelPath(name), null, ct);

    /// <summary>GET /api/v1/models/{name}, or null on 404.</summary>
    public async Task<RegistryModel?> FindModelAsync(string name, CancellationToken ct = default)
    {
        try
        {
            return await GetModelAsync(name, ct).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>GET /api/v1/models with optional filters.</summary>
    public async Task<IReadOnlyList<RegistryModel>> ListModelsAsync(ModelSearch? search = null, CancellationToken ct = default)
    {
        var query = new List<string>();
        if (search is not null)
        {
            Add(query, "tag", search.Tag);
            Add(query, "stage", search.Stage);
            Add(query, "dataset", search.Dataset);
            Add(query, "metric", search.Metric);
            Add(query, "q", search.Text);
        }

        var path = "api/v1/models" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        var list = await SendAsync<ModelList>(HttpMethod.Get, path, null, ct).ConfigureAwait(false);
        return list.Models;
    }

    /// <summary>PATCH /api/v1/models/{name} (null fields are left as they are).</summary>
    public Task<RegistryModel> UpdateModelAsync(string name, string? description = null, string? owner = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken ct = default) =>
        SendAsync<RegistryModel>(HttpMethod.Patch, ModelPath(name), JsonContent.Create(new ModelPatch(description, owner, tags), options: Json), ct);

    // ---- versions

    /// <summary>POST /api/v1/models/{name}/versions: registers an uploaded artifact as the next version.</summary>
    public Task<RegistryModelVersion> CreateVersionAsync(string model, NewModelVersion version, CancellationToken ct = default) =>
        SendAsync<RegistryModelVersion>(HttpMethod.Post, ModelPath(model) + "/versions", JsonContent.Create(version, options: Json), ct);

    /// <summary>GET /api/v1/models/{name}/versions/{v}.</summary>
    public Task<RegistryModelVersion> GetVersionAsync(string model, long version, CancellationToken ct = default) =>
        SendAsync<RegistryModelVersion>(HttpMethod.Get, VersionPath(model, version), null, ct);

    /// <summary>GET /api/v1/models/{name}/versions[?stage=S], ascending.</summary>
    public async Task<IReadOnlyList<RegistryModelVersion>> ListVersionsAsync(string model, string? stage = null, CancellationToken ct = default)
    {
        var path = ModelPath(model) + "/versions" + (stage is null ? "" : "?stage=" + Uri.EscapeDataString(stage));
        var list = await SendAsync<VersionList>(HttpMethod.Get, path, null, ct).ConfigureAwait(false);
        return list.Versions;
    }

    /// <summary>GET /api/v1/resolve/{ref}: <c>name:3</c>, <c>name@alias</c>, <c>name@production</c>, or <c>name</c> (latest).</summary>
    public Task<RegistryModelVersion> ResolveAsync(string reference, CancellationToken ct = default) =>
        SendAsync<RegistryModelVersion>(HttpMethod.Get, "api/v1/resolve/" + Uri.EscapeDataString(reference), null, ct);

    /// <summary>POST …/versions/{v}/stage.</summary>
    public Task<RegistryModelVersion> TransitionStageAsync(string model, long version, string stage, bool archiveExisting = false, CancellationToken ct = default) =>
        SendAsync<RegistryModelVersion>(HttpMethod.Post, VersionPath(model, version) + "/stage",
            JsonContent.Create(new StageChange(stage, archiveExisting), options: Json), ct);

    /// <summary>PUT /api/v1/models/{name}/aliases/{alias}; returns the version the alias now points to.</summary>
    public async Task<long> SetAliasAsync(string model, string alias, long version, CancellationToken ct = default)
    {
        var answer = await SendAsync<AliasAnswer>(HttpMethod.Put, ModelPath(model) + "/aliases/" + Uri.EscapeDataString(alias),
            JsonContent.Create(new AliasBody(version), options: Json), ct).ConfigureAwait(false);
        return answer.Version;
    }

    /// <summary>DELETE /api/v1/models/{name}/aliases/{alias}.</summary>
    public Task DeleteAliasAsync(string model, string alias, CancellationToken ct = default) =>
        SendNoContentAsync(HttpMethod.Delete, ModelPath(model) + "/aliases/" + Uri.EscapeDataString(alias), null, ct);

    // ---- lineage and cards

    /// <summary>GET /api/v1/lineage?{key}={value}: the versions produced from a dataset, commit or run.</summary>
    public async Task<IReadOnlyList<RegistryModelVersion>> FindLineageAsync(LineageQuery key, string value, CancellationToken ct = default)
    {
        var name = key switch
        {
            LineageQuery.DatasetUri => "datasetUri",
            LineageQuery.DatasetDigest => "datasetDigest",
            LineageQuery.CodeCommit => "codeCommit",
            _ => "runId",
        };
        var list = await SendAsync<VersionList>(HttpMethod.Get, $"api/v1/lineage?{name}={Uri.EscapeDataString(value)}", null, ct).ConfigureAwait(false);
        return list.Versions;
    }

    /// <summary>GET …/versions/{v}/lineage: the version with its ancestors and descendants.</summary>
    public Task<RegistryVersionLineage> GetVersionLineageAsync(string model, long version, CancellationToken ct = default) =>
        SendAsync<RegistryVersionLineage>(HttpMethod.Get, VersionPath(model, version) + "/lineage", null, ct);

    /// <summary>GET the model card (markdown), or of one version when <paramref name="version"/> is given.</summary>
    public async Task<string> GetCardAsync(string model, long? version = null, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, CardPath(model, version), null, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
    }

    /// <summary>PUT the model card (markdown), or of one version when <paramref name="version"/> is given.</summary>
    public Task SetCardAsync(string model, string markdown, long? version = null, CancellationToken ct = default) =>
        SendNoContentAsync(HttpMethod.Put, CardPath(model, version), new StringContent(markdown, Encoding.UTF8, "text/markdown"), ct);

    /// <summary>Disposes the HttpClient when this client created it.</summary>
    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _http.Dispose();
        }
    }

    internal static string ModelPath(string model) => "api/v1/models/" + Uri.EscapeDataString(model);

    internal static string VersionPath(string model, long version) =>
        ModelPath(model) + "/versions/" + version.ToString(CultureInfo.InvariantCulture);

    private static string CardPath(string model, long? version) =>
        (version is { } v ? VersionPath(model, v) : ModelPath(model)) + "/card";

    private static void Add(List<string> query, string key, string? value)
    {
        if (value is not null)
        {
            query.Add(key + "=" + Uri.EscapeDataString(value));
        }
    }

    private sealed record ModelList(IReadOnlyList<RegistryModel> Models);

    private sealed record VersionList(IReadOnlyList<RegistryModelVersion> Versions);

    private sealed record ModelPatch(string? Description, string? Owner, IReadOnlyDictionary<string, string>? Tags);

    private sealed record StageChange(string Stage, bool ArchiveExisting);

    private sealed record AliasBody(long Version);

    private sealed record AliasAnswer(string Alias, long Version);
}
