using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Turbine.Client;

/// <summary>
/// Client for a feature server speaking Feast's HTTP API (<c>turbine features serve</c>, or Feast's own
/// <c>feast serve</c>): online features, push, materialize and health. Thread-safe; reuse one instance.
/// </summary>
public sealed class FeatureStoreClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _owns;

    /// <summary>Creates a client that owns its <see cref="HttpClient"/>.</summary>
    /// <param name="baseAddress">Feature server address, for example <c>http://localhost:6566/</c>.</param>
    /// <param name="handler">Optional handler; disposed with the client.</param>
    public FeatureStoreClient(Uri baseAddress, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: true);
        _http.BaseAddress = baseAddress;
        _owns = true;
    }

    /// <summary>Creates a client over an <see cref="HttpClient"/> whose BaseAddress is the feature server; it is not disposed.</summary>
    /// <param name="httpClient">The client to send requests with.</param>
    public FeatureStoreClient(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _http = httpClient;
    }

    /// <summary>GET /health: true on 200.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<bool> IsHealthyAsync(CancellationToken ct = default)
    {
        using var response = await _http.GetAsync(new Uri("health", UriKind.Relative), ct).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    /// <summary>POST /get-online-features with feature references (<c>view:feature</c>).</summary>
    /// <param name="features">Feature references.</param>
    /// <param name="entities">Columnar entity values (join keys and request data), e.g. <c>{"user_id": [1, 2]}</c>.</param>
    /// <param name="fullFeatureNames">Name features <c>view__feature</c>.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<OnlineFeaturesResponse> GetOnlineFeaturesAsync(IEnumerable<string> features, IReadOnlyDictionary<string, IEnumerable<object?>> entities, bool fullFeatureNames = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        return GetAsync(new JsonObject { ["features"] = new JsonArray([.. features.Select(f => (JsonNode)f)]) }, entities, fullFeatureNames, ct);
    }

    /// <summary>POST /get-online-features for a feature service.</summary>
    /// <param name="featureService">The feature service's name.</param>
    /// <param name="entities">Columnar entity values (join keys and request data).</param>
    /// <param name="fullFeatureNames">Name features <c>view__feature</c>.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<OnlineFeaturesResponse> GetOnlineFeaturesForServiceAsync(string featureService, IReadOnlyDictionary<string, IEnumerable<object?>> entities, bool fullFeatureNames = false, CancellationToken ct = default) =>
        GetAsync(new JsonObject { ["feature_service"] = featureService }, entities, fullFeatureNames, ct);

    private async Task<OnlineFeaturesResponse> GetAsync(JsonObject body, IReadOnlyDictionary<string, IEnumerable<object?>> entities, bool full, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entities);
        body["entities"] = Columns(entities);
        body["full_feature_names"] = full;
        var root = await PostAsync("get-online-features", body, ct).ConfigureAwait(false);
        var names = root.GetProperty("metadata").GetProperty("feature_names").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var results = root.GetProperty("results").EnumerateArray().Select(r => new OnlineFeatureColumn(
            r.GetProperty("values").EnumerateArray().Select(v => v.Clone()).ToArray(),
            r.GetProperty("statuses").EnumerateArray().Select(v => v.GetString()!).ToArray(),
            r.TryGetProperty("event_timestamps", out var ts) ? ts.EnumerateArray().Select(v => v.GetDateTimeOffset()).ToArray() : [])).ToArray();
        return new OnlineFeaturesResponse(names, results);
    }

    /// <summary>POST /push: writes rows to the online store.</summary>
    /// <param name="pushSource">The push source (a source or feature view name).</param>
    /// <param name="df">Columnar rows: join keys, the event timestamp column and the features.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task PushAsync(string pushSource, IReadOnlyDictionary<string, IEnumerable<object?>> df, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(df);
        await PostAsync("push", new JsonObject { ["push_source_name"] = pushSource, ["df"] = Columns(df), ["to"] = "online" }, ct).ConfigureAwait(false);
    }

    /// <summary>POST /materialize for the window [start, end].</summary>
    /// <param name="start">Window start.</param>
    /// <param name="end">Window end.</param>
    /// <param name="featureViews">Views to materialize (all online views when null).</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<JsonElement> MaterializeAsync(DateTimeOffset start, DateTimeOffset end, IEnumerable<string>? featureViews = null, CancellationToken ct = default)
    {
        var body = new JsonObject { ["start_ts"] = start.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture), ["end_ts"] = end.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) };
        if (featureViews is not null)
        {
            body["feature_views"] = new JsonArray([.. featureViews.Select(v => (JsonNode)v)]);
        }

        return await PostAsync("materialize", body, ct).ConfigureAwait(false);
    }

    /// <summary>POST /materialize-incremental up to <paramref name="end"/>.</summary>
    /// <param name="end">Window end.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<JsonElement> MaterializeIncrementalAsync(DateTimeOffset end, CancellationToken ct = default) =>
        await PostAsync("materialize-incremental", new JsonObject { ["end_ts"] = end.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) }, ct).ConfigureAwait(false);

    private static JsonObject Columns(IReadOnlyDictionary<string, IEnumerable<object?>> columns)
    {
        var o = new JsonObject();
        foreach (var (name, values) in columns)
        {
            o[name] = new JsonArray([.. values.Select(v => v is null ? null : JsonValue.Create(v))]);
        }

        return o;
    }

    private async Task<JsonElement> PostAsync(string path, JsonObject body, CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, ct).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string message;
            try
            {
                using var error = JsonDocument.Parse(text);
                message = error.RootElement.TryGetProperty("error", out var e) ? e.GetString() ?? text : text;
            }
            catch (JsonException)
            {
                message = text;
            }

            throw new TurbineClientException((int)response.StatusCode, $"{path}: {message}");
        }

        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Disposes the owned <see cref="HttpClient"/>.</summary>
    public void Dispose()
    {
        if (_owns)
        {
            _http.Dispose();
        }
    }
}

/// <summary>A <c>get-online-features</c> answer: names (join keys, then features) and one column of results per name.</summary>
/// <param name="FeatureNames">Join keys then features, in order.</param>
/// <param name="Results">One column per name.</param>
public sealed record OnlineFeaturesResponse(IReadOnlyList<string> FeatureNames, IReadOnlyList<OnlineFeatureColumn> Results)
{
    /// <summary>The column named <paramref name="name"/>.</summary>
    /// <param name="name">A feature or join key name.</param>
    public OnlineFeatureColumn this[string name] => Results[FeatureNames.ToList().IndexOf(name) is >= 0 and var i ? i : throw new KeyNotFoundException(name)];
}

/// <summary>One column of a <c>get-online-features</c> answer: a value, status and event time per entity row.</summary>
/// <param name="Values">JSON values (null when missing).</param>
/// <param name="Statuses">PRESENT, NULL_VALUE, NOT_FOUND or OUTSIDE_MAX_AGE.</param>
/// <param name="EventTimestamps">Event time of each value.</param>
public sealed record OnlineFeatureColumn(IReadOnlyList<JsonElement> Values, IReadOnlyList<string> Statuses, IReadOnlyList<DateTimeOffset> EventTimestamps);
