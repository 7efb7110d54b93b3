using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Turbine.Gateway.Tests.TestSupport;

/// <summary>Request bodies and response reading shared by the tests.</summary>
public static class Bodies
{
    /// <summary>A v2 JSON infer body for <c>simple</c>: INPUT0 = 0..15 (+offset), INPUT1 = all ones.</summary>
    public static string SimpleV2(int offset = 0) =>
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[" +
        string.Join(",", Enumerable.Range(offset, 16)) + "]}," +
        "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[" + string.Join(",", Enumerable.Repeat(1, 16)) + "]}]}";

    public static HttpRequestMessage Post(string path, string json, string? bearer = null, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        Authorize(request, bearer, apiKey);
        return request;
    }

    public static HttpRequestMessage Get(string path, string? bearer = null, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        Authorize(request, bearer, apiKey);
        return request;
    }

    public static async Task<(int Status, JsonElement Body, HttpResponseHeaders Headers)> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            JsonElement body = default;
            if (text.Length > 0)
            {
                using var document = JsonDocument.Parse(text);
                body = document.RootElement.Clone();
            }

            return ((int)response.StatusCode, body, response.Headers);
        }
    }

    public static string Error(JsonElement body) => body.GetProperty("error").GetString()!;

    private static void Authorize(HttpRequestMessage request, string? bearer, string? apiKey)
    {
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (apiKey is not null)
        {
            request.Headers.Add("x-api-key", apiKey);
        }
    }
}
