using Turbine.Gateway.Routing;

namespace Turbine.Gateway.Tests.Routing;

public sealed class RestClassifierTests
{
    [Theory]
    [InlineData("GET", "/v2", "Local", GatewayOperation.Server, null, null, "rest")]
    [InlineData("GET", "/v2/health/live", "Local", GatewayOperation.Server, null, null, "rest")]
    [InlineData("GET", "/v2/health/ready", "Local", GatewayOperation.Server, null, null, "rest")]
    [InlineData("GET", "/metrics", "Local", GatewayOperation.Server, null, null, "rest")]
    [InlineData("GET", "/v2/models/simple", "Model", GatewayOperation.Metadata, "simple", null, "rest")]
    [InlineData("GET", "/v2/models/simple/versions/2", "Model", GatewayOperation.Metadata, "simple", "2", "rest")]
    [InlineData("GET", "/v2/models/simple/ready", "Model", GatewayOperation.Metadata, "simple", null, "rest")]
    [InlineData("GET", "/v2/models/simple/versions/1/ready", "Model", GatewayOperation.Metadata, "simple", "1", "rest")]
    [InlineData("GET", "/v2/models/simple/config", "Model", GatewayOperation.Metadata, "simple", null, "rest")]
    [InlineData("GET", "/v2/models/simple/stats", "Model", GatewayOperation.Metadata, "simple", null, "rest")]
    [InlineData("POST", "/v2/models/simple/infer", "Model", GatewayOperation.Infer, "simple", null, "rest")]
    [InlineData("POST", "/v2/models/simple/versions/3/infer", "Model", GatewayOperation.Infer, "simple", "3", "rest")]
    [InlineData("POST", "/v2/models/a%20b/infer", "Model", GatewayOperation.Infer, "a b", null, "rest")]
    [InlineData("GET", "/v2/models/simple/trace/setting", "Model", GatewayOperation.Admin, "simple", null, "rest")]
    [InlineData("GET", "/v2/models/stats", "ServerWide", GatewayOperation.Metadata, null, null, "rest")]
    [InlineData("POST", "/v2/repository/index", "ServerWide", GatewayOperation.Metadata, null, null, "rest")]
    [InlineData("POST", "/v2/repository/models/simple/load", "Model", GatewayOperation.Admin, "simple", null, "rest")]
    [InlineData("POST", "/v2/repository/models/simple/unload", "Model", GatewayOperation.Admin, "simple", null, "rest")]
    [InlineData("GET", "/v2/logging", "ServerWide", GatewayOperation.Admin, null, null, "rest")]
    [InlineData("POST", "/v2/trace/setting", "ServerWide", GatewayOperation.Admin, null, null, "rest")]
    [InlineData("POST", "/v1/models/iris:predict", "Model", GatewayOperation.Infer, "iris", null, "v1")]
    [InlineData("GET", "/v1/models/iris", "Model", GatewayOperation.Metadata, "iris", null, "v1")]
    [InlineData("POST", "/admin/models/simple/switch", "Admin", GatewayOperation.Admin, "simple", null, "rest")]
    [InlineData("GET", "/admin/pools", "Admin", GatewayOperation.Admin, null, null, "rest")]
    [InlineData("GET", "/v2/models/simple/infer", "NotFound", GatewayOperation.Server, null, null, "rest")]
    [InlineData("DELETE", "/v2/models/simple", "NotFound", GatewayOperation.Server, null, null, "rest")]
    [InlineData("GET", "/v3/anything", "NotFound", GatewayOperation.Server, null, null, "rest")]
    [InlineData("POST", "/v1/models/iris:explain", "Model", GatewayOperation.Infer, "iris", null, "v1")]
    [InlineData("GET", "/v1/models", "ServerWide", GatewayOperation.Metadata, null, null, "v1")]
    [InlineData("GET", "/v1/models/", "ServerWide", GatewayOperation.Metadata, null, null, "v1")]
    [InlineData("POST", "/v1/models", "NotFound", GatewayOperation.Server, null, null, "rest")]
    [InlineData("POST", "/v1/models/iris:other", "NotFound", GatewayOperation.Server, null, null, "v1")]
    // The span fast path (/v2/models/...) and the general path agree on the odd forms too.
    [InlineData("POST", "/v2/models/simple/infer/", "Model", GatewayOperation.Infer, "simple", null, "rest")]
    [InlineData("POST", "/v2/models//simple//infer", "Model", GatewayOperation.Infer, "simple", null, "rest")]
    [InlineData("POST", "/v2/models/simple/versions/2/trace/setting", "Model", GatewayOperation.Admin, "simple", "2", "rest")]
    [InlineData("POST", "/v2/models/simple/versions/2/infer/extra", "NotFound", GatewayOperation.Server, null, null, "rest")]
    [InlineData("POST", "/v2/models/a/b/c/d/e/f/g", "NotFound", GatewayOperation.Server, null, null, "rest")]
    [InlineData("HEAD", "/v2/models/simple/ready", "Model", GatewayOperation.Metadata, "simple", null, "rest")]
    [InlineData("POST", "/v2/models/stats", "NotFound", GatewayOperation.Server, null, null, "rest")]
    public void Classify_EveryRestPath_KindOperationModelVersion(string method, string path, string kind, GatewayOperation operation, string? model, string? version, string protocol)
    {
        var result = RestClassifier.Classify(method, path, "/metrics");
        Assert.Equal((kind, operation, model, version, protocol), (result.Kind.ToString(), result.Operation, result.Model, result.Version, result.Protocol));
    }
}
