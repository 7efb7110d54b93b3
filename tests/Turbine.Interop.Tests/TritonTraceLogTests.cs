using System.Net;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Inference;

namespace Turbine.Interop.Tests;

/// <summary>
/// Triton's logging and trace extensions as tritonclient drives them: gRPC LogSettings / TraceSetting through Triton's
/// stub, the trace setting routes over REST, and both advertised.
/// </summary>
public sealed class TritonTraceLogTests(TritonServerFixture server) : IClassFixture<TritonServerFixture>
{
    private static readonly DateTime Deadline = DateTime.UtcNow.AddMinutes(10);

    [Fact]
    public async Task ServerMetadata_Extensions_ListLoggingAndTrace()
    {
        var metadata = await server.Client.ServerMetadataAsync(new ServerMetadataRequest(), deadline: Deadline);
        Assert.Contains("logging", metadata.Extensions);
        Assert.Contains("trace", metadata.Extensions);
    }

    [Fact]
    public async Task LogSettings_TritonStub_UpdatesAndReadsBackOverRest()
    {
        var update = new LogSettingsRequest();
        update.Settings["log_verbose_level"] = new LogSettingsRequest.Types.SettingValue { Uint32Param = 1 };
        var answered = await server.Client.LogSettingsAsync(update, deadline: Deadline);
        Assert.Equal(1u, answered.Settings["log_verbose_level"].Uint32Param);
        Assert.True(answered.Settings["log_info"].BoolParam);
        Assert.Equal(LogSettingsResponse.Types.SettingValue.ParameterChoiceOneofCase.StringParam, answered.Settings["log_file"].ParameterChoiceCase);
        using (var rest = JsonDocument.Parse(await server.HttpClient.GetStringAsync("v2/logging")))
        {
            Assert.Equal(1, rest.RootElement.GetProperty("log_verbose_level").GetInt32());
        }

        var bad = new LogSettingsRequest();
        bad.Settings["log_verbose_level"] = new LogSettingsRequest.Types.SettingValue { StringParam = "2" };
        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Client.LogSettingsAsync(bad, deadline: Deadline));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("'log_verbose_level'", e.Status.Detail, StringComparison.Ordinal);

        update.Settings["log_verbose_level"] = new LogSettingsRequest.Types.SettingValue { Uint32Param = 0 };
        Assert.Equal(0u, (await server.Client.LogSettingsAsync(update, deadline: Deadline)).Settings["log_verbose_level"].Uint32Param);
    }

    [Fact]
    public async Task TraceSetting_TritonStub_ModelOverrideClearedFallsBackToGlobal()
    {
        var global = await server.Client.TraceSettingAsync(new TraceSettingRequest(), deadline: Deadline);
        foreach (var name in new[] { "trace_level", "trace_rate", "trace_count", "log_frequency", "trace_file", "trace_mode" })
        {
            Assert.True(global.Settings.ContainsKey(name), name);
        }

        var set = new TraceSettingRequest { ModelName = "simple_int8" };
        set.Settings["trace_level"] = new TraceSettingRequest.Types.SettingValue { Value = { "TIMESTAMPS" } };
        set.Settings["trace_rate"] = new TraceSettingRequest.Types.SettingValue { Value = { "100" } };
        set.Settings["trace_count"] = new TraceSettingRequest.Types.SettingValue { Value = { "5" } };
        var model = await server.Client.TraceSettingAsync(set, deadline: Deadline);
        Assert.Equal(["TIMESTAMPS"], model.Settings["trace_level"].Value);
        Assert.Equal(["100"], model.Settings["trace_rate"].Value);
        Assert.Equal(["5"], model.Settings["trace_count"].Value);

        var clear = new TraceSettingRequest { ModelName = "simple_int8" };
        foreach (var name in new[] { "trace_level", "trace_rate", "trace_count" })
        {
            clear.Settings[name] = new TraceSettingRequest.Types.SettingValue();
        }

        var cleared = await server.Client.TraceSettingAsync(clear, deadline: Deadline);
        Assert.Equal(global.Settings["trace_level"].Value, cleared.Settings["trace_level"].Value);
        Assert.Equal(global.Settings["trace_rate"].Value, cleared.Settings["trace_rate"].Value);
        Assert.Equal(global.Settings["trace_count"].Value, cleared.Settings["trace_count"].Value);
    }

    [Fact]
    public async Task TraceSetting_Rest_TritonJsonShapesAndErrors()
    {
        using (var posted = await server.HttpClient.PostAsync("v2/models/simple_string/trace/setting",
            new StringContent("""{"trace_rate":"7","log_frequency":"3"}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            using var body = JsonDocument.Parse(await posted.Content.ReadAsStringAsync());
            Assert.Equal(JsonValueKind.Array, body.RootElement.GetProperty("trace_level").ValueKind);
            Assert.Equal("7", body.RootElement.GetProperty("trace_rate").GetString());
            Assert.Equal("3", body.RootElement.GetProperty("log_frequency").GetString());
            Assert.Equal("opentelemetry", body.RootElement.GetProperty("trace_mode").GetString());
        }

        using (var globalBody = JsonDocument.Parse(await server.HttpClient.GetStringAsync("v2/trace/setting")))
        {
            Assert.Equal("1", globalBody.RootElement.GetProperty("trace_rate").GetString());
        }

        using var bad = await server.HttpClient.PostAsync("v2/trace/setting", new StringContent("""{"trace_rate":"often"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var error = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
        Assert.Contains("'trace_rate'", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);

        using var unknown = await server.HttpClient.GetAsync("v2/models/nosuch/trace/setting");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }
}
