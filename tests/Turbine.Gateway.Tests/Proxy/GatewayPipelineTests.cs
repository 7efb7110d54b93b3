using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Turbine.Client;

namespace Turbine.Gateway.Tests.Proxy;

/// <summary>The whole pipeline of the real gateway host: edge middleware (auth, rate limits, v1, access log) in front of the proxy path.</summary>
public sealed class GatewayPipelineTests
{
    private const string UserHash = "sha256:0845e3658edc1c91bfc9d172eeae3e60417056b1b7fe9909c00e05023adb7f1d"; // "user-key"
    private const string AdminHash = "sha256:69a5265506c94c77b787a7d7377b7685a0eff82e33920a71e7ee22cd6154953e"; // "admin-key"

    private static string Config(GatewayHarness h, string logPath) => $"""
        pools:
          blue: {"{replicas: [" + h.Replica(0) + "]}"}
          green: {"{replicas: [" + h.Replica(1) + "]}"}
        models:
          simple:
            blueGreen: {"{blue: blue, green: green}"}
        auth:
          apiKeys:
            - {"{id: user, hash: \"" + UserHash + "\", models: [simple]}"}
            - {"{id: ops, hash: \"" + AdminHash + "\", roles: [admin]}"}
        rateLimits:
          keys:
            user: {"{requests: 4, periodSeconds: 3600}"}
        accessLog:
          path: {logPath}
        """;

    [Fact]
    public async Task Pipeline_AuthRateLimitAdminAndAccessLog_InTheDocumentedOrder()
    {
        await using var h = await GatewayHarness.StartServersAsync(2);
        var log = Path.Combine(Path.GetDirectoryName(h.ConfigPath)!, "access.log");
        await h.StartGatewayAsync(Config(h, log));

        var (status, body, response) = await h.InferAsync();
        Assert.Equal(401, status);
        Assert.StartsWith("missing credential", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        response.Dispose();

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(200, (await h.InferAsync(i, r => r.Headers.Add("x-api-key", "user-key"))).Status);
        }

        var limited = await h.InferAsync(configure: r => r.Headers.Add("x-api-key", "user-key"));
        Assert.Equal(429, limited.Status);
        Assert.NotNull(limited.Response.Headers.RetryAfter);
        limited.Response.Dispose();

        // Admin API: the user key is refused, the admin key flips blue-green.
        using (var forbidden = new HttpRequestMessage(HttpMethod.Post, "admin/models/simple/switch"))
        {
            forbidden.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "user-key");
            using var answer = await h.Http.SendAsync(forbidden);
            Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
            Assert.Contains("requires role 'admin'", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var ok = new HttpRequestMessage(HttpMethod.Post, "admin/models/simple/switch"))
        {
            ok.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "admin-key");
            using var answer = await h.Http.SendAsync(ok);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        Assert.Equal(200, (await h.InferAsync(configure: r => r.Headers.Add("x-api-key", "admin-key"))).Status);
        Assert.Equal(4, await h.InferCountAsync(0));
        Assert.Equal(1, await h.InferCountAsync(1));

        // gRPC through the same pipeline: no key is UNAUTHENTICATED, the admin key passes.
        using var anonymous = new TurbineGrpcClient(h.Gateway!.GrpcAddress);
        var e = await Assert.ThrowsAsync<TurbineClientException>(() => anonymous.InferAsync("simple", GatewayProxyTests.Inputs(0)));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, e.GrpcStatusCode);

        // The access log line of a proxied request carries what the proxy path set.
        Assert.True(await GatewayHarness.EventuallyAsync(() => Task.FromResult(File.Exists(log) && ReadLines(log).Any(l => l.Contains("\"caller\":\"ops\"", StringComparison.Ordinal) && l.Contains("/infer", StringComparison.Ordinal)))));
        using var line = JsonDocument.Parse(ReadLines(log).Last(l => l.Contains("\"caller\":\"ops\"", StringComparison.Ordinal) && l.Contains("/infer", StringComparison.Ordinal)));
        Assert.Equal("green", line.RootElement.GetProperty("pool").GetString());
        Assert.Equal(h.Servers[1].HttpAddress.ToString().TrimEnd('/'), line.RootElement.GetProperty("destination").GetString());
    }

    [Fact]
    public async Task KserveV1_PredictThroughTheGateway_TranslatedBothWays()
    {
        await using var h = await GatewayHarness.StartServersAsync(1);
        await h.StartGatewayAsync($"""
            pools:
              main: {"{replicas: [" + h.Replica(0) + "]}"}
            models:
              "*": {"{pool: main}"}
            accessLog: {"{enabled: false}"}
            """);
        var instance = "{\"INPUT0\":[" + string.Join(",", Enumerable.Range(0, 16)) + "],\"INPUT1\":[" + string.Join(",", Enumerable.Repeat(1, 16)) + "]}";
        using var response = await h.Http.PostAsync("v1/models/simple:predict", new StringContent("{\"instances\":[" + instance + "]}", Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(16, doc.RootElement.GetProperty("predictions")[0].GetProperty("OUTPUT0")[15].GetInt32());
    }

    private static List<string> ReadLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }
}
