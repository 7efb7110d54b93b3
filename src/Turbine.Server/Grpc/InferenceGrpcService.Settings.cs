using Grpc.Core;
using Turbine.Core;
using Turbine.Protocol.Grpc;
using Turbine.Server.Logging;
using Turbine.Server.Security;
using Turbine.Server.Telemetry;

namespace Turbine.Server.Grpc;

internal sealed partial class InferenceGrpcService
{
    /// <summary>
    /// Triton's gRPC <c>LogSettings</c>: no settings = read them; settings = change them with the same rules and
    /// messages as <c>POST /v2/logging</c> (INVALID_ARGUMENT naming the setting; nothing changes then). Answers the
    /// settings after the change. A management operation, like the REST route.
    /// </summary>
    [ManagementOperation]
    public override Task<LogSettingsResponse> LogSettings(LogSettingsRequest request, ServerCallContext context)
    {
        if (request.Settings.Count > 0)
        {
            var changes = request.Settings.Select(p => (p.Key, ToValue(p.Value)));
            var (updated, error) = LogSettingsUpdate.Apply(changes, logSettings);
            if (error is not null)
            {
                return Task.FromResult(GrpcErrors.Fail<LogSettingsResponse>(context, InferenceError.InvalidArgument(error)));
            }

            logSettings.Set(updated!);
        }

        var s = logSettings.Current;
        var response = new LogSettingsResponse();
        response.Settings["log_file"] = new LogSettingsResponse.Types.SettingValue { StringParam = "" };
        response.Settings["log_info"] = new LogSettingsResponse.Types.SettingValue { BoolParam = s.Info };
        response.Settings["log_warning"] = new LogSettingsResponse.Types.SettingValue { BoolParam = s.Warning };
        response.Settings["log_error"] = new LogSettingsResponse.Types.SettingValue { BoolParam = s.Error };
        response.Settings["log_verbose_level"] = new LogSettingsResponse.Types.SettingValue { Uint32Param = (uint)s.VerboseLevel };
        response.Settings["log_format"] = new LogSettingsResponse.Types.SettingValue { StringParam = LoggingEndpoint.FormatName(logSettings.Format) };
        return Task.FromResult(response);
    }

    /// <summary>
    /// Triton's gRPC <c>TraceSetting</c>: no settings = read them; settings = change them (a setting with no value
    /// clears a model's own value), the same rules and messages as <c>POST /v2/trace/setting</c>. Answers the
    /// (effective) settings after the change. A management operation, like the REST routes.
    /// </summary>
    [ManagementOperation]
    public override Task<TraceSettingResponse> TraceSetting(TraceSettingRequest request, ServerCallContext context)
    {
        var model = request.ModelName.Length == 0 ? null : request.ModelName;
        if (model is not null && TraceSettingsEndpoint.CheckModel(engine, model) is { } missing)
        {
            return Task.FromResult(GrpcErrors.Fail<TraceSettingResponse>(context, missing));
        }

        if (request.Settings.Count > 0)
        {
            var error = traceSettings.Update(model, request.Settings.Select(p => (p.Key, (IReadOnlyList<string>?)p.Value.Value.ToList())));
            if (error is not null)
            {
                return Task.FromResult(GrpcErrors.Fail<TraceSettingResponse>(context, error));
            }
        }

        var response = new TraceSettingResponse();
        foreach (var (name, values) in traceSettings.Get(model))
        {
            var value = new TraceSettingResponse.Types.SettingValue();
            value.Value.Add(values);
            response.Settings[name] = value;
        }

        return Task.FromResult(response);
    }

    private static LogSettingsUpdate.Value ToValue(LogSettingsRequest.Types.SettingValue v) => v.ParameterChoiceCase switch
    {
        LogSettingsRequest.Types.SettingValue.ParameterChoiceOneofCase.BoolParam =>
            new(LogSettingsUpdate.Kind.Bool, v.BoolParam, 0, null, v.BoolParam ? "bool_param true" : "bool_param false"),
        LogSettingsRequest.Types.SettingValue.ParameterChoiceOneofCase.Uint32Param =>
            new(LogSettingsUpdate.Kind.Integer, false, v.Uint32Param, null, $"uint32_param {v.Uint32Param}"),
        LogSettingsRequest.Types.SettingValue.ParameterChoiceOneofCase.StringParam =>
            new(LogSettingsUpdate.Kind.String, false, 0, v.StringParam, $"string_param \"{v.StringParam}\""),
        _ => new(LogSettingsUpdate.Kind.Other, false, 0, null, "no value"),
    };
}
