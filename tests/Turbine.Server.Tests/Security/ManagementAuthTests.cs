using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Turbine.Client;
using Turbine.Core.Lifecycle;
using Turbine.Protocol.Grpc;
using Turbine.Server.Security;
using Turbine.Server.Tests.Grpc;

namespace Turbine.Server.Tests.Security;

/// <summary>
/// Management endpoints (repository load/unload, /v2/logging, gRPC RepositoryModelLoad/Unload) on real servers:
/// the token, the loopback default, off-loopback without a token, and the explicit opt-out. Every refusal leaves
/// the server serving inference.
/// </summary>
public sealed class ManagementAuthTests
{
    private const string Token = "s3cret-management-token-0123456789";

    [Fact]
    public async Task Load_LoopbackWithoutToken_Allowed()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit);
        Assert.Equal(200, (await h.PostJsonAsync("/v2/repository/models/simple/load", "{}")).Status);
        Assert.Equal(200, (await h.GetJsonAsync("/v2/logging")).Status);
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        await c.Client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "simple" });
        await c.Client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "simple" });
        Assert.Equal(200, (await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson())).Status);
    }

    [Fact]
    public async Task Management_OffLoopbackWithoutToken_Forbidden403AndInferenceStillServes()
    {
        var log = new WarningLog();
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit, startupModels: ["simple"], configure: o => o with { Host = "0.0.0.0" },
            logging: l => l.AddProvider(log));
        Assert.Contains(log.Messages, m => m.Contains("management endpoints (repository load/unload, /v2/logging) are disabled", StringComparison.Ordinal));

        foreach (var (method, path, body) in new[]
        {
            ("POST", "/v2/repository/models/iris/load", "{}"),
            ("POST", "/v2/repository/models/simple/unload", "{}"),
            ("POST", "/v2/logging", """{"log_error":false}"""),
            ("GET", "/v2/logging", ""),
        })
        {
            using var response = await SendAsync(h, method, path, body, token: null);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var error = (await ServerHarness.ReadJsonAsync(response)).GetProperty("error").GetString();
            Assert.Contains("not loopback", error);
            Assert.Contains("--management-token-file", error);
        }

        // A REST call dressed as gRPC is still a REST management call.
        using (var disguised = new HttpRequestMessage(HttpMethod.Post, "/v2/repository/models/iris/load") { Content = new ByteArrayContent("{}"u8.ToArray()) })
        {
            disguised.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            using var response = await h.Http.SendAsync(disguised);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "simple" }));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Contains("--management-token-file", e.Status.Detail);

        // Nothing changed, and the open endpoints stay open.
        Assert.Equal(200, (await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson())).Status);
        Assert.False((await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "iris" })).Ready);
        GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(GrpcTestClient.SimpleRaw(2)), 2);
        Assert.Equal(200, (await h.GetJsonAsync("/v2/models/simple/stats")).Status);
        Assert.Equal(200, (await h.GetJsonAsync("/v2/health/ready")).Status);
        Assert.Equal(200, (await h.PostJsonAsync("/v2/repository/index", "{}")).Status);
    }

    [Fact]
    public async Task Management_RestWithToken_MissingOrWrong401RightAllowed()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit, configure: o => o with { ManagementToken = Token });

        using (var missing = await SendAsync(h, "POST", "/v2/repository/models/simple/load", "{}", token: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
            Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Contains("Authorization: Bearer", (await ServerHarness.ReadJsonAsync(missing)).GetProperty("error").GetString());
        }

        foreach (var wrong in new[] { Token + "x", Token[..^1], "Basic " + Token })
        {
            using var response = await SendAsync(h, "POST", "/v2/repository/models/simple/load", "{}", wrong.StartsWith("Basic", StringComparison.Ordinal) ? null : wrong,
                raw: wrong.StartsWith("Basic", StringComparison.Ordinal) ? wrong : null);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Matches("not valid|unsupported authorization scheme", (await ServerHarness.ReadJsonAsync(response)).GetProperty("error").GetString());
        }

        using (var logging = await SendAsync(h, "POST", "/v2/logging", """{"log_error":false}""", "wrong-token-0123456789"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, logging.StatusCode);
        }

        using (var settings = await SendAsync(h, "GET", "/v2/logging", "", Token))
        {
            Assert.True((await ServerHarness.ReadJsonAsync(settings)).GetProperty("log_error").GetBoolean());
        }

        using (var getWithoutToken = await SendAsync(h, "GET", "/v2/logging", "", token: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, getWithoutToken.StatusCode);
        }
        Assert.Equal(503, (await h.GetJsonAsync("/v2/models/simple/ready")).Status);

        using (var right = await SendAsync(h, "POST", "/v2/repository/models/simple/load", "{}", Token))
        {
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }

        // Inference needs no token.
        Assert.Equal(200, (await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson())).Status);
    }

    [Fact]
    public async Task Management_GrpcWithToken_MissingOrWrongUnauthenticatedRightAllowed()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit, configure: o => o with { ManagementToken = Token });
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        var load = new RepositoryModelLoadRequest { ModelName = "simple" };

        var missing = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.RepositoryModelLoadAsync(load));
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Contains("Authorization: Bearer", missing.Status.Detail);

        var wrong = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.RepositoryModelLoadAsync(load, Bearer(Token + "0")));
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Contains("not valid", wrong.Status.Detail);
        Assert.False((await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple" })).Ready);

        await c.Client.RepositoryModelLoadAsync(load, Bearer(Token));
        GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(GrpcTestClient.SimpleRaw(5)), 5);

        var unloadWrong = await Assert.ThrowsAsync<RpcException>(async () =>
            await c.Client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "simple" }, Bearer("nope-nope-nope-nope")));
        Assert.Equal(StatusCode.Unauthenticated, unloadWrong.StatusCode);
        Assert.True((await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple" })).Ready);
        await c.Client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "simple" }, Bearer(Token));
    }

    [Fact]
    public async Task Management_OffLoopbackWithToken_ClientSdkSendsToken()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit, configure: o => o with { Host = "0.0.0.0", ManagementToken = Token });

        using var anonymous = new TurbineHttpClient(h.Server.HttpAddress);
        var refused = await Assert.ThrowsAsync<TurbineClientException>(() => anonymous.LoadModelAsync("simple"));
        Assert.Contains("Authorization: Bearer", refused.Message);

        using var http = new TurbineHttpClient(h.Server.HttpAddress, bearerToken: Token);
        await http.LoadModelAsync("simple");
        Assert.True(await http.IsModelReadyAsync("simple"));

        using var grpc = new TurbineGrpcClient(h.Server.GrpcAddress, bearerToken: Token);
        await grpc.UnloadModelAsync("simple");
        Assert.True(await ServerHarness.EventuallyAsync(async () => !await http.IsModelReadyAsync("simple"), TimeSpan.FromSeconds(10)));
        await grpc.LoadModelAsync("simple");
        Assert.True(await grpc.IsModelReadyAsync("simple"));
    }

    [Fact]
    public async Task Management_OffLoopbackExplicitNone_AllowedWithoutToken()
    {
        var log = new WarningLog();
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit, configure: o => o with { Host = "0.0.0.0", ManagementAuth = ManagementAuthMode.None },
            logging: l => l.AddProvider(log));
        Assert.Contains(log.Messages, m => m.Contains("open WITHOUT authentication (--management-auth none) on 0.0.0.0", StringComparison.Ordinal));
        Assert.Equal(200, (await h.PostJsonAsync("/v2/repository/models/simple/load", "{}")).Status);
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        await c.Client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "simple" });
        Assert.Equal(200, (await h.GetJsonAsync("/v2/logging")).Status);
    }

    [Theory]
    [InlineData("short", ManagementAuthMode.Auto, "at least 16 characters")]
    [InlineData("has a space in the token", ManagementAuthMode.Auto, "printable ASCII without spaces")]
    [InlineData(Token, ManagementAuthMode.None, "contradict")]
    public async Task StartAsync_InvalidManagementOptions_Refused(string token, ManagementAuthMode mode, string expected)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => ServerHarness.StartAsync(configure: o => o with { ManagementToken = token, ManagementAuth = mode }));
        Assert.Contains(expected, e.Message);
    }

    private static CallOptions Bearer(string token) => new(new Metadata { { "authorization", "Bearer " + token } });

    private static async Task<HttpResponseMessage> SendAsync(ServerHarness h, string method, string path, string body, string? token, string? raw = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (raw is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", raw);
        }

        return await h.Http.SendAsync(request);
    }

    /// <summary>Collects the warnings the server logs (the start-up messages about management authentication).</summary>
    private sealed class WarningLog : ILoggerProvider, ILogger
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

        public IReadOnlyCollection<string> Messages => _messages;

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                _messages.Enqueue(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
