using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Turbine.Control.Reconciling;

namespace Turbine.Control.Api;

/// <summary>
/// A typed client of the control API (what <c>turbine control</c> uses): one method per endpoint, every call bounded by a
/// timeout; refusals come back as <see cref="ControlClientException"/> with the server's code and diagnostics.
/// </summary>
public sealed partial class ControlClient : IDisposable
{
    /// <summary>Largest answer read (a list of many deployments with their YAML stays far below).</summary>
    public const long MaxResponseBytes = 64L * 1024 * 1024;

    private readonly HttpClient _http;

    /// <summary>A client of the control service at <paramref name="baseUrl"/>.</summary>
    /// <param name="baseUrl">The service, e.g. <c>http://127.0.0.1:8090</c>.</param>
    /// <param name="token">The bearer token; null sends none.</param>
    /// <param name="timeout">Longest wait for one call (default 30 s).</param>
    /// <param name="handler">A handler to send with (tests); the client does not dispose it.</param>
    public ControlClient(Uri baseUrl, string? token, TimeSpan? timeout = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        _http.Timeout = timeout ?? TimeSpan.FromSeconds(30);
        _http.MaxResponseContentBufferSize = MaxResponseBytes;
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    /// <summary>Applies an InferenceService; with <paramref name="name"/> it is a PUT to that name, else a POST (name from metadata.name).</summary>
    /// <param name="yaml">The InferenceService YAML.</param>
    /// <param name="name">The deployment name, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<ApplyResponse> ApplyAsync(string yaml, string? name = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        using var request = new HttpRequestMessage(name is null ? HttpMethod.Post : HttpMethod.Put, "api/v1/deployments" + (name is null ? "" : "/" + Uri.EscapeDataString(name)))
        {
            Content = new StringContent(yaml, Encoding.UTF8, "application/yaml"),
        };
        return await SendAsync<ApplyResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DeploymentListResponse> ListAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/deployments");
        return await SendAsync<DeploymentListResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DeploymentResponse> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Path(name));
        return await SendAsync<DeploymentResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, Path(name));
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<EventListResponse> EventsAsync(string name, int? limit = null, CancellationToken cancellationToken = default)
    {
        var query = limit is { } l ? "?limit=" + l.ToString(CultureInfo.InvariantCulture) : "";
        using var request = new HttpRequestMessage(HttpMethod.Get, Path(name) + "/events" + query);
        return await SendAsync<EventListResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A rollout command: <c>promote</c>, <c>rollback</c>, <c>pause</c> or <c>resume</c>.</summary>
    /// <param name="name">The deployment.</param>
    /// <param name="action">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<DeploymentStatus> RolloutAsync(string name, string action, CancellationToken cancellationToken = default)
    {
        if (action is not ("promote" or "rollback" or "pause" or "resume"))
        {
            throw new ArgumentException($"unknown rollout command '{action}': expected promote, rollback, pause or resume", nameof(action));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, Path(name) + "/rollout/" + action);
        return await SendAsync<DeploymentStatus>(request, cancellationToken).ConfigureAwait(false);
    }

    private static string Path(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return "api/v1/deployments/" + Uri.EscapeDataString(name);
    }

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ControlJson.Options, cancellationToken).ConfigureAwait(false)
                ?? throw new ControlClientException((int)response.StatusCode, "invalid_response", "the control service answered null", []);
        }
        catch (JsonException e)
        {
            throw new ControlClientException((int)response.StatusCode, "invalid_response", $"the control service's answer is not what this client expects: {e.Message}", []);
        }
    }

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (JsonSerializer.Deserialize<ControlErrorResponse>(text, ControlJson.Options) is { Error: not null } error)
            {
                throw new ControlClientException(status, error.Code ?? "", error.Error, error.Diagnostics ?? []);
            }
        }
        catch (JsonException)
        {
            // Not our JSON (a proxy's page): report the status and the start of the text below.
        }

        throw new ControlClientException(status, "http_" + status.ToString(CultureInfo.InvariantCulture),
            $"the control service answered {status} {response.ReasonPhrase}: {(text.Length > 200 ? text[..200] : text)}", []);
    }

    public void Dispose() => _http.Dispose();
}
