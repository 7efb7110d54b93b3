using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Server.Http;

namespace Turbine.Server.Tests.Http;

/// <summary><c>GET /v2/openapi.json</c> lists every REST route the running server maps (issue 12 item 21).</summary>
public sealed class OpenApiDocumentTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private ServerHarness H => fixture.Harness;

    [Fact]
    public async Task OpenApi_EveryMappedRoute_AppearsWithItsMethod()
    {
        var (status, document) = await H.GetJsonAsync(OpenApiDocument.Path);

        Assert.Equal(200, status);
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths");
        var mapped = OpenApiDocument.RestRoutes(H.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints).ToList();
        Assert.Contains(mapped, r => r is { Pattern: "/v2/models/{model}/infer", Method: "POST" });
        Assert.Contains(mapped, r => r is { Pattern: "/v2/logging", Method: "GET" });
        foreach (var (pattern, method) in mapped)
        {
            Assert.True(paths.TryGetProperty(pattern, out var item), $"{pattern} is mapped but not in the document");
            Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out var operation), $"{method} {pattern} is mapped but not in the document");
            Assert.False(operation.GetProperty("summary").GetString()!.EndsWith("(see docs/protocol.md)", StringComparison.Ordinal),
                $"{method} {pattern} has no summary: add one to OpenApiDocument.Summaries");
        }

        Assert.Equal(mapped.Select(r => r.Pattern).Distinct().Count(), paths.EnumerateObject().Count());
    }

    [Fact]
    public async Task OpenApi_Infer_DescribesBinaryExtension()
    {
        var (_, document) = await H.GetJsonAsync(OpenApiDocument.Path);

        var infer = document.GetProperty("paths").GetProperty("/v2/models/{model}/infer").GetProperty("post");
        Assert.Contains(infer.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Inference-Header-Content-Length" && p.GetProperty("in").GetString() == "header");
        Assert.True(infer.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/octet-stream", out _));
        Assert.Equal(JsonValueKind.Object, infer.GetProperty("responses").GetProperty("default").ValueKind);
    }
}
