using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Transforms;

/// <summary>Header injection: request headers as the backend saw them, response headers as the client sees them.</summary>
public sealed class HeaderTransformTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private EchoServer _echo = null!;
    private EdgeHost _host = null!;

    public async Task InitializeAsync()
    {
        _echo = await EchoServer.StartAsync();
        _host = await EdgeHost.StartAsync(_echo.Address, _echo.Address, YamlConfig.Load("""
            transforms:
              headers:
                request:
                  set: {x-gateway: turbine}
                  append: {x-tags: global}
                  remove: [x-debug]
                response:
                  remove: [x-internal]
                  set: {x-served-by: turbine-gateway}
              models:
                iris:
                  request:
                    append: {x-tags: iris}
                  response:
                    append: {x-model-owner: data-team}
            """, _folder.Path));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _echo.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Request_GlobalAndModelRules_BackendSeesThem()
    {
        var request = Bodies.Get("/v2/models/iris");
        request.Headers.Add("x-debug", "1");
        request.Headers.Add("x-tags", "client");

        using var response = await _host.Http.SendAsync(request);
        var seen = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("headers");

        Assert.Equal(["turbine"], seen.GetProperty("x-gateway").EnumerateArray().Select(v => v.GetString()));
        // Several values of one header travel as one comma-separated field.
        Assert.Equal(["client", "global", "iris"], seen.GetProperty("x-tags").EnumerateArray().SelectMany(v => v.GetString()!.Split(", ")));
        Assert.False(seen.TryGetProperty("x-debug", out _));
    }

    [Fact]
    public async Task Response_GlobalAndModelRules_ClientSeesThem()
    {
        using var iris = await _host.Http.GetAsync("/v2/models/iris");
        using var other = await _host.Http.GetAsync("/v2/models/simple");

        Assert.False(iris.Headers.Contains("x-internal"));
        Assert.Equal(["echo"], iris.Headers.GetValues("x-backend"));
        Assert.Equal(["turbine-gateway"], iris.Headers.GetValues("x-served-by"));
        Assert.Equal(["data-team"], iris.Headers.GetValues("x-model-owner"));
        Assert.False(other.Headers.Contains("x-model-owner"));
        Assert.Equal(["turbine-gateway"], other.Headers.GetValues("x-served-by"));
    }

    [Fact]
    public async Task Reload_NewRulesApplyToNextRequest()
    {
        _host.Config.Set(YamlConfig.Load("transforms: {headers: {request: {set: {x-gateway: v2}}}}", _folder.Path));

        using var response = await _host.Http.GetAsync("/v2/models/simple");
        var seen = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("headers");

        Assert.Equal(["v2"], seen.GetProperty("x-gateway").EnumerateArray().Select(v => v.GetString()));
        Assert.True(response.Headers.Contains("x-internal"));
    }
}
