using System.Text;
using Turbine.Server.Http;

namespace Turbine.Server.Tests.Http;

/// <summary>
/// The infer route matched by hand before ASP.NET routing (issue 22, P7 round 3): it takes exactly the shapes the mapped
/// routes take and leaves everything else to routing, whose answers (404, 405, bad versions) are unchanged.
/// </summary>
public sealed class InferRouteTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private ServerHarness H => fixture.Harness;

    [Theory]
    [InlineData("/v2/models/simple/infer", "simple", "")]
    [InlineData("/v2/models/simple/versions/3/infer", "simple", "3")]
    [InlineData("/V2/Models/simple/INFER", "simple", "")]
    [InlineData("/v2/models/simple/VERSIONS/x/infer", "simple", "x")]
    [InlineData("/v2/models/a%2Fb/infer", "a%2Fb", "")]
    [InlineData("/v2/models/my model/infer", "my model", "")]
    [InlineData("/v2/models/versions/infer", "versions", "")]
    [InlineData("/v2/models/stats/infer", "stats", "")]
    public void TryMatch_InferShapes(string path, string model, string version)
    {
        Assert.True(InferRoute.TryMatch(path, out var m, out var v));
        Assert.Equal(model, m);
        Assert.Equal(version, v.ToString());
    }

    [Theory]
    [InlineData("/v2/models/infer")]
    [InlineData("/v2/models//infer")]
    [InlineData("/v2/models/simple/infer/")]
    [InlineData("/v2/models/simple/infer/x")]
    [InlineData("/v2/models/a/b/infer")]
    [InlineData("/v2/models/simple/versions//infer")]
    [InlineData("/v2/models/simple/versions/1/2/infer")]
    [InlineData("/v2/models/simple//versions/1/infer")]
    [InlineData("/v2/models/simple/version/1/infer")]
    [InlineData("/v2/models/simple/versions/infer")]
    [InlineData("/v2/models/simple/ready")]
    [InlineData("/v3/models/simple/infer")]
    [InlineData("/v2/models/simpleinfer")]
    [InlineData("")]
    public void TryMatch_OtherPaths_LeftToRouting(string path) =>
        Assert.False(InferRoute.TryMatch(path, out _, out _));

    private async Task<(int Status, string Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await H.Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/v2/models/simple/infer")]
    [InlineData("/v2/models/simple/versions/1/infer")]
    [InlineData("/V2/MODELS/simple/Infer")]
    [InlineData("/v2/models/simple/infer/")] // left to routing, which takes it as before
    public async Task Post_InferShapes_Served(string path)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, path, ServerHarness.SimpleJson());
        Assert.True(status == 200, body);
        Assert.Contains("\"model_name\":\"simple\"", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("abc")]
    [InlineData("-1")]
    public async Task Post_BadVersion_SameAnswerAsRoutedEndpoints(string version)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, $"/v2/models/simple/versions/{version}/infer", ServerHarness.SimpleJson());
        var (routedStatus, routedBody) = await SendAsync(HttpMethod.Get, $"/v2/models/simple/versions/{version}/ready");
        Assert.Equal(400, status);
        Assert.Equal(routedStatus, status);
        Assert.Equal(routedBody, body);
        Assert.Contains($"model version '{version}' is not valid", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no%20such", "no such")]
    [InlineData("a%2Fb", "a%2Fb")]
    [InlineData("caf%C3%A9", "café")]
    public async Task Post_EncodedModelName_NamedAsRoutingDecodesIt(string segment, string name)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, $"/v2/models/{segment}/infer", ServerHarness.SimpleJson());
        var (routedStatus, routedBody) = await SendAsync(HttpMethod.Get, $"/v2/models/{segment}/ready");
        Assert.Equal(routedStatus, status); // unknown model: the same status as the routed endpoints give
        Assert.InRange(status, 400, 404);
        Assert.Contains($"'{name}'", body, StringComparison.Ordinal);
        Assert.Contains($"'{name}'", routedBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v2/models/simple/infer")]
    [InlineData("PUT", "/v2/models/simple/versions/1/infer")]
    [InlineData("DELETE", "/v2/models/simple/infer")]
    public async Task OtherMethods_LeftToRouting_FallbackAnswer(string method, string path)
    {
        // As before the hand match: routing's fallback answers a method the infer route does not take.
        var (status, body) = await SendAsync(new HttpMethod(method), path, method == "GET" ? null : ServerHarness.SimpleJson());
        Assert.Equal(404, status);
        Assert.Contains($"no endpoint for {method} {path}", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v2/models//infer")]
    [InlineData("/v2/models/simple/versions/1/2/infer")]
    [InlineData("/v2/models/a/b/infer")]
    public async Task Post_OtherShapes_LeftToRouting_404(string path)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, path, ServerHarness.SimpleJson());
        Assert.Equal(404, status);
        Assert.Contains("no endpoint for POST", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_Infer_CountedInModelStatistics()
    {
        var before = await SuccessCountAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/simple/infer")
        {
            Content = new StringContent(ServerHarness.SimpleJson(), Encoding.UTF8, "application/json"),
        };
        using var response = await H.Http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(await ServerHarness.EventuallyAsync(async () => await SuccessCountAsync() > before, TimeSpan.FromSeconds(10)));
    }

    private async Task<long> SuccessCountAsync()
    {
        var (_, stats) = await H.GetJsonAsync("/v2/models/simple/stats");
        return stats.GetProperty("model_stats")[0].GetProperty("inference_stats").GetProperty("success").GetProperty("count").GetInt64();
    }
}
