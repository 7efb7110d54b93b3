using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Core;
using Turbine.Server.Telemetry;

namespace Turbine.Server.Http;

/// <summary><c>POST /v2/models/{m}[/versions/{v}]/infer</c>: JSON and binary tensor data, compressed or not.</summary>
internal static class InferEndpoint
{
    public static async Task HandleAsync(HttpContext ctx, InferenceEngine engine, ServerOptions options, ServerMetrics metrics, string model, long? version)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var span = RequestTracing.Start(ctx, model, RequestProtocol.Http);
        RequestTracing.AddResponseHeader(ctx, span);
        var (outcome, answered) = await HandleCoreAsync(ctx, engine, options, model, version).ConfigureAwait(false);
        metrics.RecordRequest(model, answered ?? version ?? -1, RequestProtocol.Http, outcome, start);
        EngineTracing.StopInfer(span, answered ?? version, outcome, null);
    }

    /// <summary>Answers the request; returns its outcome and the version that answered (null when none did).</summary>
    private static async Task<(StatusCode Outcome, long? Version)> HandleCoreAsync(HttpContext ctx, InferenceEngine engine, ServerOptions options, string model, long? version)
    {
        int? headerLength = null;
        var headerText = ctx.Request.Headers[InferResponseWriter.HeaderLengthHeader].ToString();
        if (headerText.Length > 0)
        {
            if (!int.TryParse(headerText, NumberStyles.None, CultureInfo.InvariantCulture, out var h))
            {
                await HttpErrors.WriteAsync(ctx, InferenceError.InvalidArgument(
                    $"{InferResponseWriter.HeaderLengthHeader} must be a non-negative integer, got '{headerText}'")).ConfigureAwait(false);
                return (StatusCode.InvalidArgument, null);
            }

            headerLength = h;
        }

        var read = await RequestBody.ReadAsync(ctx.Request, options.MaxRequestBodyBytes, "--http-max-body-bytes",
            ctx.RequestServices.GetRequiredService<RequestBodyBudget>(), ctx.RequestAborted).ConfigureAwait(false);
        if (!read.IsOk)
        {
            await HttpErrors.WriteAsync(ctx, RequestBody.HttpStatus(read.Error), read.Error.Message).ConfigureAwait(false);
            return (read.Error.Code, null);
        }

        var body = read.Value;
        Result<InferenceRequest> parsed;
        if (headerLength == 0)
        {
            // Only the raw single-input form needs the config before the engine sees the request.
            var config = engine.GetModelConfig(model, version);
            parsed = config.IsOk
                ? InferRequestReader.ReadRawSingleInput(model, version, body, config.Value)
                : config.Error;
        }
        else
        {
            parsed = InferRequestReader.Read(model, version, body, headerLength);
        }

        if (!parsed.IsOk)
        {
            body.Dispose();

            // An unknown or unready model is the answer even when the body is also bad (404/503 before 400). The
            // lookup runs only on this error path: a good request meets the model once, in the engine.
            var error = parsed.Error.Code == StatusCode.InvalidArgument && engine.GetModelConfig(model, version) is { IsOk: false } missing
                ? missing.Error!
                : parsed.Error;
            await HttpErrors.WriteAsync(ctx, error).ConfigureAwait(false);
            return (error.Code, null);
        }

        using var request = parsed.Value;
        request.BodyOwner = body;
        var result = await engine.InferAsync(request, ctx.RequestAborted).ConfigureAwait(false);
        if (!result.IsOk)
        {
            await HttpErrors.WriteAsync(ctx, result.Error).ConfigureAwait(false);
            return (result.Error.Code, null);
        }

        using var response = result.Value;
        await InferResponseWriter.WriteAsync(ctx, request, response).ConfigureAwait(false);
        return (StatusCode.Ok, response.ModelVersion);
    }
}
