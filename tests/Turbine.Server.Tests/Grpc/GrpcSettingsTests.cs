using Grpc.Core;
using Turbine.Protocol.Grpc;

namespace Turbine.Server.Tests.Grpc;

/// <summary>gRPC LogSettings and TraceSetting: the REST rules over Triton's messages, behind the management auth.</summary>
public sealed class GrpcSettingsTests : IAsyncLifetime
{
    private const string Token = "grpc-settings-token-0123456789";
    private ServerHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task LogSettings_GetAndUpdate_SameStateAsRest()
    {
        using var c = new GrpcTestClient(_harness.Server.GrpcAddress);
        var current = await c.Client.LogSettingsAsync(new LogSettingsRequest());
        Assert.True(current.Settings["log_warning"].BoolParam);
        Assert.Equal(0u, current.Settings["log_verbose_level"].Uint32Param);
        Assert.Equal("text", current.Settings["log_format"].StringParam);
        Assert.Equal("", current.Settings["log_file"].StringParam);

        var update = new LogSettingsRequest();
        update.Settings["log_warning"] = new LogSettingsRequest.Types.SettingValue { BoolParam = false };
        update.Settings["log_verbose_level"] = new LogSettingsRequest.Types.SettingValue { Uint32Param = 1 };
        var after = await c.Client.LogSettingsAsync(update);
        Assert.False(after.Settings["log_warning"].BoolParam);
        Assert.Equal(1u, after.Settings["log_verbose_level"].Uint32Param);

        var (_, rest) = await _harness.GetJsonAsync("/v2/logging");
        Assert.False(rest.GetProperty("log_warning").GetBoolean());
        Assert.Equal(1, rest.GetProperty("log_verbose_level").GetInt32());
    }

    [Theory]
    [InlineData("log_info", "string", "'log_info' must be true or false, got string_param \"yes\"")]
    [InlineData("log_verbose_level", "bool", "'log_verbose_level' must be a non-negative integer, got bool_param true")]
    [InlineData("log_file", "string", "'log_file' cannot be changed")]
    [InlineData("log_format", "string", "'log_format' cannot be changed at run time")]
    [InlineData("log_colour", "bool", "unknown logging setting 'log_colour'")]
    public async Task LogSettings_BadSetting_InvalidArgumentAndNothingChanges(string name, string kind, string message)
    {
        using var c = new GrpcTestClient(_harness.Server.GrpcAddress);
        var update = new LogSettingsRequest();
        update.Settings["log_error"] = new LogSettingsRequest.Types.SettingValue { BoolParam = false };
        update.Settings[name] = kind == "bool"
            ? new LogSettingsRequest.Types.SettingValue { BoolParam = true }
            : new LogSettingsRequest.Types.SettingValue { StringParam = "yes" };
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.LogSettingsAsync(update));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(message, e.Status.Detail, StringComparison.Ordinal);
        Assert.True((await c.Client.LogSettingsAsync(new LogSettingsRequest())).Settings["log_error"].BoolParam);
    }

    [Fact]
    public async Task TraceSetting_ModelOverrideAndClear_SharedWithRest()
    {
        using var c = new GrpcTestClient(_harness.Server.GrpcAddress);
        var set = new TraceSettingRequest { ModelName = "simple" };
        set.Settings["trace_rate"] = new TraceSettingRequest.Types.SettingValue { Value = { "10" } };
        set.Settings["trace_level"] = new TraceSettingRequest.Types.SettingValue { Value = { "TIMESTAMPS", "TENSORS" } };
        var answered = await c.Client.TraceSettingAsync(set);
        Assert.Equal(["10"], answered.Settings["trace_rate"].Value);
        Assert.Equal(["TIMESTAMPS", "TENSORS"], answered.Settings["trace_level"].Value);
        Assert.Equal(["opentelemetry"], answered.Settings["trace_mode"].Value);
        Assert.Equal("10", (await _harness.GetJsonAsync("/v2/models/simple/trace/setting")).Body.GetProperty("trace_rate").GetString());
        Assert.Equal(["1"], (await c.Client.TraceSettingAsync(new TraceSettingRequest())).Settings["trace_rate"].Value);

        var clear = new TraceSettingRequest { ModelName = "simple" };
        clear.Settings["trace_rate"] = new TraceSettingRequest.Types.SettingValue();
        Assert.Equal(["1"], (await c.Client.TraceSettingAsync(clear)).Settings["trace_rate"].Value);

        var bad = new TraceSettingRequest();
        bad.Settings["trace_count"] = new TraceSettingRequest.Types.SettingValue { Value = { "-5" } };
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.TraceSettingAsync(bad));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("'trace_count'", e.Status.Detail, StringComparison.Ordinal);

        e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.TraceSettingAsync(new TraceSettingRequest { ModelName = "nosuch" }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("Request for unknown model: 'nosuch' is not found", e.Status.Detail);
    }

    [Fact]
    public async Task Settings_ManagementTokenSet_UnauthenticatedWithoutIt()
    {
        await using var h = await ServerHarness.StartAsync(configure: o => o with { ManagementToken = Token });
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.LogSettingsAsync(new LogSettingsRequest()));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.TraceSettingAsync(new TraceSettingRequest()));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);

        var auth = new Metadata { { "authorization", "Bearer " + Token } };
        Assert.True((await c.Client.LogSettingsAsync(new LogSettingsRequest(), auth)).Settings["log_info"].BoolParam);
        Assert.Equal(["OFF"], (await c.Client.TraceSettingAsync(new TraceSettingRequest(), auth)).Settings["trace_level"].Value);
    }

    [Fact]
    public async Task ServerMetadata_ExtensionsListLoggingAndTrace()
    {
        using var c = new GrpcTestClient(_harness.Server.GrpcAddress);
        var metadata = await c.Client.ServerMetadataAsync(new ServerMetadataRequest());
        Assert.Contains("logging", metadata.Extensions);
        Assert.Contains("trace", metadata.Extensions);
        Assert.Equal("turbine", metadata.Name);
    }
}
