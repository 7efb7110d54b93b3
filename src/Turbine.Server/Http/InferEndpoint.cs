using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Core;
using Turbine.Server.Telemetry;

namespace Turbine.Server.Http;

/// <summary>
/// <c>POST /v2/models/{m}[/versions/{v}]/infer</c>: JSON and binary tensor data, compressed or not. The request's
/// span and duration are the engine's: this puts the protocol, the caller's trace context and the receive time on the
/// request, reports a request it cannot hand over (<see cref="InferenceEngine.RecordRefused"/>) and echoes the span's
/// <c>traceparent</c>.
/// </summary>
internal static class InferEndpoint
{
    public static async Task HandleAsync(HttpContext ctx, InferenceEngine engine, ServerOptions options, string model, long? version,
        RequestBodyBudget budget, IRequestEnricher? enricher)
    {
        var received = System.Diagnostics.Stopwatch.GetTimestamp();
        int? headerLength = null;
        var headerText = ctx.Request.Headers[InferResponseWriter.HeaderLengthHeader].ToString();
        if (headerText.Length > 0)
        {
            if (!int.TryParse(headerText, NumberStyles.None, CultureInfo.InvariantCulture, out var h))
            {
                var error = InferenceError.InvalidArgument($"{InferResponseWriter.HeaderLengthHeader} must be a non-negative integer, got '{headerText}'");
                Refuse(ctx, engine, model, version, received, error);
                await HttpErrors.WriteAsync(ctx, error).ConfigureAwait(false);
                return;
            }

            headerLength = h;
        }

        var read = await RequestBody.ReadAsync(ctx.Request, options.MaxRequestBodyBytes, "--http-max-body-bytes",
            budget, ctx.RequestAborted, recycle: true).ConfigureAwait(false);
        if (!read.IsOk)
        {
            Refuse(ctx, engine, model, version, received, read.Error);
            await HttpErrors.WriteAsync(ctx, RequestBody.HttpStatus(read.Error), read.Error.Message).ConfigureAwait(false);
            return;
        }

        var body = read.Value;
        Result<InferenceRequest> parsed;
        if (headerLength == 0)
        {
            // Only the raw single-input form needs the config before the engine sees the request.
            var config = await engine.EnsureModelLoadedAsync(model, version, ctx.RequestAborted).ConfigureAwait(false) is { } notLoaded
                ? Result<Turbine.Core.Config.ModelConfig>.Fail(notLoaded)
                : engine.GetModelConfig(model, version);
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
            Refuse(ctx, engine, model, version, received, error);
            await HttpErrors.WriteAsync(ctx, error).ConfigureAwait(false);
            return;
        }

        using var request = parsed.Value;
        RequestTracing.Describe(request, ctx, RequestProtocol.Http, received);
        request.BodyOwner = body;
        if (enricher is not null && enricher.Enriches(model)
            && await enricher.EnrichAsync(request, ctx.RequestAborted).ConfigureAwait(false) is { } enrichError)
        {
            engine.RecordRefused(request, enrichError);
            await HttpErrors.WriteAsync(ctx, enrichError).ConfigureAwait(false);
            return;
        }

        var result = await engine.InferAsync(request, ctx.RequestAborted).ConfigureAwait(false);
        RequestTracing.AddResponseHeader(ctx, request.Activity);
        if (!result.IsOk)
        {
            await HttpErrors.WriteAsync(ctx, result.Error).ConfigureAwait(false);
            return;
        }

        // Releasing the response after it is written ends the request's span and duration.
        using var response = result.Value;
        await InferResponseWriter.WriteAsync(ctx, request, response).ConfigureAwait(false);
    }

    /// <summary>A request refused before the engine saw it: the engine records it, the response carries its span's id.</summary>
    private static void Refuse(HttpContext ctx, InferenceEngine engine, string model, long? version, long received, InferenceError error)
    {
        using var refused = new InferenceRequest(model, version);
        RequestTracing.Describe(refused, ctx, RequestProtocol.Http, received);
        engine.RecordRefused(refused, error);
        RequestTracing.AddResponseHeader(ctx, refused.Activity);
    }
}
