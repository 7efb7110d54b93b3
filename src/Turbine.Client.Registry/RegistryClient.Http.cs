using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Turbine.Client.Registry;

public sealed partial class RegistryClient
{
    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var response = await SendRawAsync(method, path, content, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, ct).ConfigureAwait(false)
                ?? throw new RegistryException((int)response.StatusCode, "bad_response", $"the registry answered {method} /{path} with an empty body");
        }
        catch (JsonException e)
        {
            throw new RegistryException((int)response.StatusCode, "bad_response", $"the registry answered {method} /{path} with unreadable JSON: {e.Message}", e);
        }
    }

    private async Task SendNoContentAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var response = await SendRawAsync(method, path, content, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
    }

    /// <summary>Sends a request; a non-success answer becomes a <see cref="RegistryException"/>, no answer one with status 0.</summary>
    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content, HttpCompletionOption completion, CancellationToken ct, string? digest = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (digest is not null)
        {
            request.Headers.Add(DigestHeader, digest);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryException(0, RegistryException.UnreachableCode, $"cannot reach the registry at {_http.BaseAddress}: {e.Message}", e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ReadErrorAsync(response, method, path, ct).ConfigureAwait(false);
        }
    }

    private static async Task<RegistryException> ReadErrorAsync(HttpResponseMessage response, HttpMethod method, string path, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            body = "";
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object &&
                json.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
            {
                var code = json.RootElement.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : CodeFor(response.StatusCode);
                return new RegistryException(status, code, error.GetString()!);
            }
        }
        catch (JsonException)
        {
        }

        var text = body.Trim();
        return new RegistryException(status, CodeFor(response.StatusCode),
            $"the registry answered {method} /{path} with HTTP {status}{(text.Length > 0 ? ": " + (text.Length > 300 ? text[..300] : text) : "")}");
    }

    private static string CodeFor(HttpStatusCode status) => status switch
    {
        HttpStatusCode.NotFound => "not_found",
        HttpStatusCode.Unauthorized => "unauthenticated",
        HttpStatusCode.Forbidden => "forbidden",
        HttpStatusCode.Conflict => "already_exists",
        _ => "http_" + ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
